"""Reply assistance in a real browser: an agent types a canned reply's `/name` and gets it filled
in the reply box, edits it, asks for a suggested reply and gets a cited draft within a second
(offline, no Gemini key), marks it helpful; a long conversation opens with its summary; the
requester of the same ticket sees none of it. The reply box tells the server what was typed
once typing pauses, not at every keystroke."""

import re
import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocket, expect

from .conftest import Api, api_as, screenshot

pytestmark = pytest.mark.browser

DRAFT_WITHIN = 1_000  # ms from the click to the draft in the reply box


def word() -> str:
    """A word no other test's ticket has, so it alone decides what is similar."""
    return "asst" + uuid.uuid4().hex[:8]


def typed_events(page: Page) -> list[str]:
    """The websocket frames the page sends to the reply box's `typed` handler, from a reload
    on (the listener has to see the socket open)."""
    sent: list[str] = []

    def watch(socket: WebSocket) -> None:
        socket.on(
            "framesent",
            lambda payload: sent.append(payload) if ".typed" in str(payload) else None,
        )

    page.on("websocket", watch)
    page.reload()
    return sent


def test_a_canned_reply_by_shortcut_and_a_cited_draft_both_editable(
    open_page, api: Api, app_url: str
):
    tag = word()
    api._call(
        "POST",
        "/api/canned-replies/",
        {
            "name": f"fixed{tag}",
            "body": "Hello {{requester.first_name}}, ticket {{ticket.id}} is fixed. "
            "{{agent.first_name}}",
            "shared": True,
        },
    )
    solved = api.create(
        f"VPN {tag} drops every ten minutes", f"The VPN {tag} drops every ten minutes."
    )
    api.comment(solved["id"], f"Update the VPN {tag} client to version 5.3, that fixes it.")
    api.patch(solved["id"], status="resolved")
    rita = api_as(app_url, "requester")
    ticket = rita.create(f"VPN {tag} keeps dropping", f"My VPN {tag} drops all the time.")

    page = open_page(f"/tickets/{ticket['id']}", who="agent")
    sent = typed_events(page)
    box = page.locator("#reply")
    shortcut = f"Thanks for waiting. /fixed{tag}"
    box.press_sequentially(shortcut, delay=20)
    picker = page.get_by_role("listbox", name="Canned replies")
    expect(picker).to_contain_text(f"fixed{tag}")
    assert 1 <= len(sent) < len(shortcut) / 4, f"{len(sent)} typed events for {len(shortcut)} keys"

    picker.get_by_role("button", name="Insert canned reply").click()
    filled = f"Thanks for waiting. Hello Rita, ticket {ticket['id']} is fixed. Alan"
    expect(box).to_have_value(filled)
    expect(picker).to_have_count(0)
    box.press("End")
    box.press_sequentially(" Anything else?")
    expect(box).to_have_value(filled + " Anything else?")

    started = time.monotonic()
    page.get_by_role("button", name="Suggest a reply").click()
    expect(box).to_have_value(re.compile(r"5\.3"), timeout=DRAFT_WITHIN)
    took = time.monotonic() - started
    assert took < DRAFT_WITHIN / 1000, f"the draft took {took:.2f} s"
    expect(page.get_by_text(f"Draft (offline) from: #{solved['id']}")).to_be_visible()
    box.press("End")
    box.press_sequentially(" Regards, Alan")
    expect(box).to_have_value(re.compile(r"5\.3.* Regards, Alan$", re.S))
    page.get_by_role("button", name="Helpful", exact=True).click()
    expect(page.get_by_text("Marked helpful")).to_be_visible()
    screenshot(page, "assist", full_page=False)


def long_thread(api: Api, rita: Api, tag: str) -> dict[str, Any]:
    ticket = rita.create(
        f"Label printer {tag} jams", f"The label printer {tag} jams on every second label."
    )
    for number in range(4):
        api.comment(ticket["id"], f"Step {number}: did you try cleaning the rollers?")
        rita.comment(ticket["id"], f"Tried step {number}, still jams. This is frustrating.")
    return ticket


def test_a_long_thread_opens_with_its_summary_for_staff_only(open_page, api: Api, app_url: str):
    tag = word()
    api._call(
        "POST",
        "/api/canned-replies/",
        {"name": f"rollers{tag}", "body": "Clean the rollers.", "shared": True},
    )
    rita = api_as(app_url, "requester")
    ticket = long_thread(api, rita, tag)

    page = open_page(f"/tickets/{ticket['id']}", who="agent")
    summary = page.get_by_role("note").filter(has_text="Summary (offline)")
    expect(summary).to_contain_text(f"Request: Label printer {tag} jams")
    expect(summary).to_contain_text("frustrat")
    conversation = page.get_by_role("textbox", name="Reply to the requester")
    assert summary.bounding_box()["y"] < conversation.bounding_box()["y"]

    mine = open_page(f"/tickets/{ticket['id']}", who="requester")
    expect(mine.get_by_text("Tried step 3, still jams.")).to_be_visible()
    mine.locator("#reply").press_sequentially(f"/rollers{tag}")
    mine.wait_for_timeout(1_000)  # well past the pause after which a shortcut is looked up
    expect(mine.get_by_text("Summary (")).to_have_count(0)
    expect(mine.get_by_role("button", name="Suggest a reply")).to_have_count(0)
    expect(mine.get_by_role("listbox", name="Canned replies")).to_have_count(0)
    expect(mine.get_by_label("Search canned replies")).to_have_count(0)
    expect(mine.locator("#reply")).to_have_value(f"/rollers{tag}")
