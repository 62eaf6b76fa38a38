"""Working a ticket together: a requester and two agents in three browsers, every step
showing up live in the others, the timeline naming who did what, and a stale edit refused."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import Api, api_as, screenshot

pytestmark = pytest.mark.browser

LIVE_WITHIN = 5_000  # ms: the promise for changes made in another browser


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def reply(page: Page, text: str, note: bool = False) -> None:
    if note:
        page.get_by_role("switch").click()
    page.locator("#reply").fill(text)
    page.get_by_role("button", name="Add note" if note else "Send reply").click()


def timeline(page: Page):
    return page.get_by_role("list", name="What happened, newest first")


def test_requester_and_two_agents_work_one_ticket(open_page, app_url, api: Api):
    word = uuid.uuid4().hex[:8]
    rita = open_page("/", who="requester")
    rita.get_by_label("Title").fill(f"Cannot print invoices ({word})")
    rita.get_by_label("Description").fill(
        "Since this morning every invoice I print comes out blank; the accounts team is stuck."
    )
    rita.get_by_role("button", name="Create ticket").click()
    created = rita.get_by_text(re.compile(r"^Ticket #\d+ created$"))
    expect(created).to_be_visible()
    ticket_id = int(re.search(r"#(\d+)", created.inner_text())[1])
    url = f"/tickets/{ticket_id}"
    rita.goto(url)

    alan = open_page(url, who="agent")
    bea = open_page(url, who="agent_b")

    alan.get_by_role("button", name="Take it").click()  # A takes it
    expect(alan.get_by_text("Assignee set to Alan Agent.")).to_be_visible()
    expect(bea.get_by_label("Assignee", exact=True)).to_have_text("Alan Agent", timeout=LIVE_WITHIN)
    expect(rita.get_by_text("Alan Agent")).to_be_visible(timeout=LIVE_WITHIN)

    reply(bea, f"Printer queue {word} is stuck on the print server.", note=True)  # B's note
    expect(timeline(alan).get_by_text(f"Printer queue {word} is stuck")).to_be_visible(
        timeout=LIVE_WITHIN
    )

    reply(alan, "We restarted the print server; please try again.")  # A replies
    choose(alan, "Status", "Resolved")
    expect(timeline(rita).get_by_text("We restarted the print server")).to_be_visible(
        timeout=LIVE_WITHIN
    )
    expect(rita.get_by_text("Resolved").first).to_be_visible(timeout=LIVE_WITHIN)
    expect(timeline(rita).get_by_text(f"Printer queue {word}")).to_have_count(0)  # never the note

    reply(rita, "Still blank, sorry.")  # the requester answers: it reopens
    expect(alan.get_by_label("Status", exact=True)).to_have_text("Open", timeout=LIVE_WITHIN)
    expect(timeline(bea).get_by_text("Still blank, sorry.")).to_be_visible(timeout=LIVE_WITHIN)
    expect(timeline(alan).get_by_text("reopened the ticket")).to_be_visible(timeout=LIVE_WITHIN)
    screenshot(alan, "conversation")

    steps = [(entry["kind"], entry["actor"]["name"]) for entry in api.history(ticket_id)]
    assert steps == [
        ("created", "Rita Requester"),
        ("assigned", "Alan Agent"),
        ("commented", "Bea Agent"),
        ("commented", "Alan Agent"),
        ("changed", "Alan Agent"),
        ("commented", "Rita Requester"),
        ("reopened", "Rita Requester"),
    ]
    as_rita = api_as(app_url, "requester")
    assert [c["body"] for c in as_rita._call("GET", f"/api/tickets/{ticket_id}/comments/")] == [
        "We restarted the print server; please try again.",
        "Still blank, sorry.",
    ]

    status, headers, _ = api.call("GET", f"/api/tickets/{ticket_id}/")
    stale = str(int(headers["etag"].strip('"')) - 1)
    status, _, problem = api.call(
        "PATCH", f"/api/tickets/{ticket_id}/", {"priority": "low"}, {"If-Match": f'"{stale}"'}
    )
    assert status == 412
    assert problem["status"] == 412
