"""Pushes past the tab's state (`ui/live/push.py`): what an open list is sent when tickets
arrive is what a freshly opened tab shows, the tab's own clicks then act on it, and nobody
is pushed what their session no longer lets them see.

Over the real websocket of the served app; the app's log says how many pushes went past the
state, so each test also proves it took that path and not the whole reload.
"""

import asyncio
import re
import uuid

import pytest

from tests.served_app import ServedApp
from tests.support.reflex_client import ReflexTab, event_name, state_name
from ticket_app.ui.state.tickets import PAGE_SIZE, TicketsState

from .conftest import Desk, post_form, run, session_cookie, settled_watching

pytestmark = pytest.mark.served

PUSHED = re.compile(r"pushes so far: (\d+) past the tab's state")
SHOWN = ("rows", "total", "has_next", "saved_views", "assignees", "range_text", "several_pages")


def pushed_past_state(app: ServedApp) -> int:
    """How many pushes went past a tab's state, as of the app's latest report (one comes
    with every change in the number of live pages)."""
    counts = PUSHED.findall(app.log())
    return int(counts[-1]) if counts else 0


def shown(tab: ReflexTab) -> dict[str, object]:
    values = tab.state[state_name(TicketsState)]
    return {name: values[name + "_rx_state_"] for name in SHOWN}


async def until_total(tab: ReflexTab, total: int) -> None:
    key = "total_rx_state_"
    await tab.wait_for(
        lambda update: update.delta.get(state_name(TicketsState), {}).get(key) == total
    )


def test_a_pushed_list_shows_what_a_fresh_tab_shows_and_pages_on_from_it(
    live_app: ServedApp, desk: Desk
):
    word = f"push{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[dict, dict, list[str], int]:
        async with ReflexTab(live_app.url, cookie=desk.cookies["agent"]) as pushed:
            await pushed.open(f"/tickets?search={word}")
            titles: list[str] = []
            # One more than a page, so the next page has one; in steps, each shown before the
            # next, so the list is woken several times (the first after a load is whole).
            for step in (1, 9, 8, PAGE_SIZE + 1 - 18):
                for _ in range(step):
                    titles.append(f"{word} printer jam number {len(titles)}")
                    await asyncio.to_thread(desk.create_ticket, titles[-1])
                await until_total(pushed, len(titles))
            async with ReflexTab(live_app.url, cookie=desk.cookies["agent"]) as fresh:
                await fresh.open(f"/tickets?search={word}")
                fresh_shows = shown(fresh)
            pushed_shows = shown(pushed)
            # The tab's own click acts on what was pushed: the state caught up first.
            reply = await pushed.call(event_name(TicketsState.next_page))
            page_two = reply.last.delta[state_name(TicketsState)]["rows_rx_state_"]
            return pushed_shows, fresh_shows, [row["title"] for row in page_two], len(titles)

    before = pushed_past_state(live_app)
    pushed_shows, fresh_shows, second_page, made = run(scenario())
    settled_watching(live_app)  # no page left: the last report, with the counts
    past_state = pushed_past_state(live_app) - before
    assert pushed_shows == fresh_shows
    assert pushed_shows["total"] == made
    assert second_page == [f"{word} printer jam number 0"]  # the oldest, alone on page two
    assert past_state >= 1


def test_a_signed_out_tab_is_pushed_nothing_after(live_app: ServedApp, desk: Desk):
    cookie = session_cookie(live_app, "alan@example.com")
    word = f"gone{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[int, str]:
        async with ReflexTab(live_app.url, cookie=cookie) as tab:
            await tab.open(f"/tickets?search={word}")
            await asyncio.to_thread(desk.create_ticket, f"{word} seen while signed in")
            await until_total(tab, 1)
            await asyncio.to_thread(post_form, live_app, "/auth/sign-out", {}, cookie)
            before = len(tab.updates)
            await asyncio.to_thread(desk.create_ticket, f"{word} arrives after sign-out")
            await asyncio.sleep(3)  # several polls: the access revision moved, then this
            later = str([(u.delta, u.events) for u in tab.updates[before:]])
            return tab.value(TicketsState, "total"), later

    total, later = run(scenario())
    assert "arrives after sign-out" not in later
    assert total == 1
    assert '"/login' in later or "/login" in later  # the page went to sign in instead
