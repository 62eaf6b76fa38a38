"""Triage at speed in a real browser: the board, a bulk change, a saved view, the export."""

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import Api, screenshot, ticket_rows

pytestmark = pytest.mark.browser


def word() -> str:
    return "tri" + uuid.uuid4().hex[:8]


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_card_moves_on_the_board_by_drag_and_by_its_select(open_page, api: Api):
    tag = word()
    dragged = api.create(f"Drag me ({tag})", category="technical", priority="high")
    selected = api.create(f"Move me ({tag})", category="billing", priority="low")
    board = open_page(f"/board?search={tag}")
    open_column = board.get_by_role("region", name="Open column")
    expect(
        open_column.get_by_role("link", name=re.compile(re.escape(dragged["title"])))
    ).to_be_visible()

    card = open_column.get_by_role("listitem").filter(has_text=dragged["title"])
    card.drag_to(board.get_by_role("region", name="Resolved column"))
    expect(board.get_by_text(f"Ticket #{dragged['id']} moved to resolved.")).to_be_visible()
    resolved = board.get_by_role("region", name="Resolved column")
    expect(
        resolved.get_by_role("link", name=re.compile(re.escape(dragged["title"])))
    ).to_be_visible()
    assert api.get(dragged["id"])["status"] == "resolved"

    choose(board, f"Move ticket #{selected['id']} to", "In progress")
    expect(board.get_by_text(f"Ticket #{selected['id']} moved to in progress.")).to_be_visible()
    assert api.get(selected["id"])["status"] == "in_progress"
    screenshot(board, "board", full_page=False)


def test_bulk_resolve_a_filtered_selection(open_page, api: Api):
    tag = word()
    made = [api.create(f"Bulk {n} ({tag})", category="general", priority="low") for n in range(3)]
    page = open_page(f"/tickets?search={tag}")
    expect(ticket_rows(page)).to_have_count(3)
    page.get_by_label("Select all tickets on this page").click()
    expect(page.get_by_text("3 tickets selected")).to_be_visible()
    choose(page, "Status of the selection", "Resolved")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Set the status of 3 tickets to Resolved?")
    dialog.get_by_role("button", name="Yes, do it").click()
    expect(page.get_by_text("3 tickets moved to resolved.")).to_be_visible()
    assert {api.get(ticket["id"])["status"] for ticket in made} == {"resolved"}
    history = api.history(made[0]["id"])
    assert history[-1]["field"] == "status"
    assert history[-1]["new_value"] == "resolved"


def test_a_saved_view_comes_back(open_page, api: Api):
    tag = word()
    api.create(f"Viewed ({tag})", category="account", priority="critical")
    page = open_page(f"/tickets?search={tag}&priority=critical")
    expect(ticket_rows(page)).to_have_count(1)
    page.get_by_label("Save these filters as").fill(f"Critical {tag}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"View “Critical {tag}” saved.")).to_be_visible()
    page.get_by_role("button", name="Clear filters").first.click()
    expect(page).to_have_url(re.compile(r"/tickets$"))
    views = page.get_by_role("list", name="Saved views")
    views.get_by_role("link", name=re.compile(f"Critical {tag}")).click()
    expect(page).to_have_url(re.compile(rf"priority=critical&search={tag}"))
    expect(ticket_rows(page)).to_have_count(1)
    expect(page.get_by_label("Search")).to_have_value(tag)


def test_the_export_downloads_the_filtered_list(open_page, api: Api):
    tag = word()
    for title in (f"=SUM(1) {tag}", f"Plain {tag}"):
        api.create(title, category="general", priority="low")
    page = open_page(f"/tickets?search={tag}&sort=oldest")
    expect(ticket_rows(page)).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert header[:3] == ["id", "title", "description"]
    assert [row[1] for row in rows] == [f"'=SUM(1) {tag}", f"Plain {tag}"]
