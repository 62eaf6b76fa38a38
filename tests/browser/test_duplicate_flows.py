"""Duplicates in a real browser: the form names a similar ticket while it is written, and the
ticket page merges a duplicate so its conversation continues in the other ticket."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import Api, screenshot

pytestmark = pytest.mark.browser

SHOWN_WITHIN = 1_000  # ms after the agent pauses (leaves the field)


def word() -> str:
    """A word no other test's ticket has, so it alone decides what is similar."""
    return "dup" + uuid.uuid4().hex[:8]


def test_the_form_names_a_similar_ticket_while_it_is_written(open_page, api: Api):
    tag = word()
    earlier = api.create(
        f"Label printer {tag} jams on every label",
        f"The label printer {tag} in the warehouse jams on every label since Monday.",
    )
    page = open_page("/")
    page.get_by_label("Title").fill(f"{tag} label printer jams")
    page.get_by_label("Title").press("Tab")  # the title alone is enough to look
    similar = page.get_by_role("list", name="Similar tickets")
    named = similar.get_by_role("link", name=re.compile(re.escape(earlier["title"])))
    expect(named).to_be_visible(timeout=SHOWN_WITHIN)
    expect(similar).to_contain_text("% alike")
    screenshot(page, "similar")


def test_merging_a_duplicate_moves_its_conversation(open_page, api: Api):
    tag = word()
    target = api.create(
        f"Scanner {tag} shows error E42", f"The scanner {tag} on floor 2 shows error E42."
    )
    duplicate = api.create(
        f"Floor 2 scanner {tag} error E42", f"Error E42 on the floor 2 scanner {tag} again."
    )
    api.comment(duplicate["id"], f"Restarted the scanner {tag}; E42 is back.")
    page = open_page(f"/tickets/{duplicate['id']}")
    similar = page.get_by_role("list", name="Similar tickets")
    expect(similar).to_contain_text(target["title"])
    page.get_by_role("button", name=f"Merge with #{target['id']}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Merge #{duplicate['id']} and #{target['id']}")
    dialog.get_by_role("button", name=f"Merge this one into #{target['id']}").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{target['id']}$"))
    expect(
        page.get_by_text(f"Ticket #{duplicate['id']} was merged into #{target['id']}.")
    ).to_be_visible()
    expect(page.get_by_text(f"Restarted the scanner {tag}; E42 is back.")).to_be_visible()
    assert api.get(duplicate["id"])["merged_into_id"] == target["id"]
    assert api.get(duplicate["id"])["status"] == "closed"

    page.goto(f"/tickets/{duplicate['id']}")
    expect(page.get_by_text("This ticket was merged into")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Merge with"))).to_have_count(0)
