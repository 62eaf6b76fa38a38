"""What an agent does, in a real browser against the real app (see conftest.py)."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import Api, screenshot, ticket_rows

pytestmark = pytest.mark.browser

LIVE_WITHIN = 5_000  # ms: the promise for changes made elsewhere


def token() -> str:
    """A reference no other ticket contains, so a search finds only this test's tickets."""
    return "ref-" + uuid.uuid4().hex[:8]


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the select labelled `label`, as a mouse user would."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def legend_count(page: Page, chart: str, key: str, label: str, count: int) -> None:
    expect(page.get_by_test_id(f"{chart}-{key}")).to_have_text(
        re.compile(rf"{label}\s*{count}$"), timeout=LIVE_WITHIN
    )


def test_submit_with_a_suggestion_and_an_override(open_page, api: Api):
    page = open_page("/")
    title = f"Invoice charged twice ({token()})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(
        "Our March invoice was charged twice to the company card; please refund one payment."
    )
    expect(page.get_by_text("Suggested by the offline model").first).to_be_visible()
    suggested_category = page.get_by_label("Category", exact=True).inner_text()
    assert suggested_category in {"Billing", "Technical", "Account", "General"}

    choose(page, "Priority", "Critical")
    expect(page.get_by_text("Your choice")).to_be_visible()
    page.get_by_label("Description").fill(
        "Our March invoice was charged twice to the company card; please refund one payment. "
        "Finance needs this before the month closes."
    )
    page.wait_for_timeout(1_500)  # a later suggestion arrives, and must not touch the override
    expect(page.get_by_label("Priority", exact=True)).to_have_text("Critical")
    screenshot(page, "form")

    page.get_by_role("button", name="Create ticket").click()
    toast = page.get_by_text(re.compile(r"^Ticket #\d+ created$"))
    expect(toast).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.get_by_label("Description")).to_have_value("")
    ticket_id = int(re.search(r"#(\d+)", toast.inner_text())[1])
    ticket = api.get(ticket_id)
    assert (ticket["title"], ticket["priority"]) == (title, "critical")
    assert ticket["category"] == ticket["suggested_category"] == suggested_category.lower()
    assert ticket["suggested_priority"] is not None

    page.get_by_role("link", name="See all tickets").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()


def test_a_filter_and_a_search_narrow_the_list_and_live_in_the_url(open_page, api: Api):
    page = open_page("/tickets")
    expect(page.get_by_text(re.compile(r"Showing 1–\d+ of \d+ tickets"))).to_be_visible()
    screenshot(page, "list", full_page=False)
    word = token()
    api.create(f"Printer jams ({word})", category="technical", priority="high")
    api.create(f"Refund ({word})", category="billing", priority="low")
    api.create("Printer jams on the second floor", category="technical", priority="low")
    choose(page, "Category", "Technical")
    page.get_by_label("Search").fill(word)
    expect(page).to_have_url(re.compile(rf"/tickets\?category=technical&search={word}$"))
    rows = ticket_rows(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"Printer jams ({word})")
    expect(page.get_by_text("Showing 1–1 of 1 ticket")).to_be_visible()

    shared = open_page(page.url.removeprefix(page.url.split("/tickets")[0]))  # a bookmark
    expect(ticket_rows(shared)).to_have_count(1)
    expect(shared.get_by_label("Category", exact=True)).to_have_text("Technical")
    expect(shared.get_by_label("Search")).to_have_value(word)

    shared.get_by_role("button", name="Clear filters").first.click()
    expect(shared).to_have_url(re.compile(r"/tickets$"))
    expect(ticket_rows(shared).first).to_be_visible()


def test_an_inline_status_change_moves_the_dashboard(open_page, api: Api):
    ticket = api.create(f"Locked out after the update ({token()})", category="account")
    resolved_before = api.stats()["status_breakdown"]["resolved"]
    dashboard = open_page("/dashboard")
    legend_count(dashboard, "status", "resolved", "Resolved", resolved_before)

    tickets = open_page("/tickets")
    # The rows' selects are the browser's own: picked as a keyboard or mouse user picks them.
    tickets.get_by_label(f"Status of ticket #{ticket['id']}", exact=True).select_option("Resolved")
    expect(tickets.get_by_text(f"Ticket #{ticket['id']} is now resolved.")).to_be_visible()
    assert api.get(ticket["id"])["status"] == "resolved"

    legend_count(dashboard, "status", "resolved", "Resolved", resolved_before + 1)
    screenshot(dashboard, "dashboard")


def test_a_ticket_created_through_the_api_appears_without_a_reload(open_page, api: Api):
    tickets = open_page("/tickets")
    dashboard = open_page("/dashboard")
    expect(ticket_rows(tickets).first).to_be_visible()
    total = api.stats()["total_tickets"]
    expect(dashboard.get_by_label("Total tickets", exact=True)).to_have_text(str(total))
    for page in (tickets, dashboard):
        page.evaluate("window.stillTheSamePage = true")

    title = f"Created through the API ({token()})"
    api.create(title, category="general", priority="low")

    expect(tickets.get_by_role("link", name=title)).to_be_visible(timeout=LIVE_WITHIN)
    expect(dashboard.get_by_label("Total tickets", exact=True)).to_have_text(
        str(total + 1), timeout=LIVE_WITHIN
    )
    for page in (tickets, dashboard):
        assert page.evaluate("window.stillTheSamePage") is True


def test_the_detail_page_shows_text_and_edits_one_field(open_page, api: Api):
    description = 'Pasted from a mail: <b>bold</b> <img src="x" onerror="alert(1)">\nSecond line.'
    ticket = api.create(f"Mail client shows raw HTML ({token()})", description, category="general")
    page = open_page(f"/tickets/{ticket['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{ticket['id']} {ticket['title']}")
    expect(page.get_by_text("<b>bold</b>", exact=False)).to_be_visible()
    assert page.locator("main img").count() == 0
    expect(page.get_by_text("Classifier suggestion")).to_be_visible()

    choose(page, "Category", "Technical")
    expect(page.get_by_text("Category set to Technical.")).to_be_visible()
    changed = api.get(ticket["id"])
    assert (changed["category"], changed["priority"]) == ("technical", ticket["priority"])
    screenshot(page, "detail")

    missing = open_page("/tickets/999999")
    expect(missing.get_by_text("Ticket not found")).to_be_visible()


def test_the_list_fits_a_phone(open_page):
    page = open_page("/tickets", width=390)
    expect(ticket_rows(page).first).to_be_visible()
    # Once the page has settled nothing sticks out sideways (no horizontal scrolling).
    page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=10_000)
    screenshot(page, "list-phone", full_page=False)
