"""What one agent's clicks cost, and whether every page passes axe-core.

Click figures (the timing shared with `python -m bench.clicks`, which times the same clicks on a
seeded desk of any size): the time from the pointer going down to the page showing the result,
measured inside the page (`performance.now()` at `pointerdown` on the option or button, and at the
first DOM change that shows the new rows or value), for a list filter, paging, a ticket
page's edit. Printed, not judged:
timings on a shared machine are figures, not test results. What is judged: each click is one
round trip that changes the rows in place, and a filter keeps the address in step by
replacing the history entry, without a reload.

axe-core (WCAG 2.1 A and AA rules), vendored under tests/browser/vendor/ from its npm package
so no test loads anything from the internet, runs on every page; no serious or critical
violation may be left.
"""

import re
import statistics
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.clicks import LIST, choosing, timed

from .conftest import Api

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROUNDS = 8


def report(name: str, figures: list[float], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(
            f"\n  click figure: {name}: p50 {statistics.median(figures):.0f} ms, "
            f"max {max(figures):.0f} ms over {len(figures)} clicks "
            f"({', '.join(f'{f:.0f}' for f in figures)})"
        )


@pytest.fixture
def many_tickets(api: Api) -> None:
    """Enough tickets for a second page of the list, in two categories."""
    for number in range(30):
        category = "technical" if number % 2 else "billing"
        api.create(f"Paging ticket {number}", category=category, priority="low")


def test_a_list_filter_is_one_round_trip_that_keeps_the_address(open_page, many_tickets, capsys):
    page = open_page("/tickets")
    expect(page.locator(LIST)).to_be_visible()
    page.evaluate("window.__not_reloaded = true")
    entries = page.evaluate("history.length")
    figures = []
    for round_ in range(ROUNDS):
        category = ("Technical", "Billing")[round_ % 2]
        figures.append(timed(page, LIST, **choosing(page, "Category", category)))
        expect(page).to_have_url(re.compile(rf"category={category.lower()}"))
    report("list filter (category)", figures, capsys)
    assert page.evaluate("window.__not_reloaded") is True  # no page load in between
    assert page.evaluate("history.length") == entries  # the entry was replaced, not added


def test_paging_is_one_round_trip(open_page, many_tickets, capsys):
    page = open_page("/tickets")
    expect(page.locator(LIST)).to_be_visible()
    page.evaluate("window.__not_reloaded = true")
    figures = []
    for round_ in range(ROUNDS):
        button = ("Older", "Newer")[round_ % 2]
        figures.append(
            timed(page, LIST, lambda b=button: page.get_by_role("button", name=b).first.click())
        )
    report("list paging", figures, capsys)
    assert page.evaluate("window.__not_reloaded") is True  # no page load in between


def test_a_ticket_page_edit_is_one_round_trip(open_page, api: Api, capsys):
    ticket = api.create("Edited for the click figures", category="general", priority="low")
    page = open_page(f"/tickets/{ticket['id']}")
    trigger = "#priority"
    expect(page.locator(trigger)).to_have_text("Low")
    figures = []
    for round_ in range(ROUNDS):
        priority = ("High", "Low")[round_ % 2]
        figures.append(timed(page, trigger, **choosing(page, "Priority", priority)))
        expect(page.locator(trigger)).to_have_text(priority)
    report("ticket page edit (priority)", figures, capsys)
    assert api.get(ticket["id"])["priority"] == "low"


PAGES = [
    "/login",
    "/",
    "/tickets",
    "/tickets/ID",
    "/board",
    "/dashboard",
    "/account",
    "/admin/users",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_axe_violation(open_page, browser, app_url, api: Api, path: str):
    if path == "/login":  # the one page seen signed out
        context = browser.new_context(base_url=app_url)
        page = context.new_page()
        page.goto(path)
    else:
        path = path.replace("ID", str(api.create("Checked by axe", category="billing")["id"]))
        page = open_page(path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # charts and live values settle
    page.evaluate(AXE.read_text() + "\n;undefined")  # as the page's own script would be loaded
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    if path == "/login":
        context.close()
    assert not serious, f"axe on {path}:\n" + "\n".join(serious)
