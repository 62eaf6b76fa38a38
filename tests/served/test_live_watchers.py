"""Live pages cost the server one watcher per open tab, never more, whatever a client sends.

Any websocket client may call a page's `load` as often as it likes; each call used to start
another watcher that outlived the tab and re-ran its page query on every change. These tests
do exactly that over the real websocket, and count the watchers the app's process reports.
"""

import pytest

from tests.served_app import ServedApp
from tests.support.reflex_client import ReflexTab, event_name
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import WATCHER_LIMIT, WATCHER_SHARE, run, settled_watching

pytestmark = pytest.mark.served


@pytest.fixture
def app(live_app: ServedApp) -> ServedApp:
    """The served app with no page watching, as every test here starts."""
    assert settled_watching(live_app) == 0
    return live_app


def test_a_client_calling_load_again_and_again_keeps_one_watcher(app, desk):
    load = event_name(TicketsState.load)

    async def scenario() -> int:
        async with ReflexTab(app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/tickets")
            for _ in range(300):
                await tab.send(load)
            await tab.call(event_name(TicketsState.retry))  # every load before it has run
            return settled_watching(app)

    assert run(scenario()) == 1
    assert settled_watching(app) == 0  # and it ends with the tab


def test_watchers_started_by_a_script_end_when_it_disconnects(app, desk):
    async def scenario() -> int:
        tabs = [ReflexTab(app.url, cookie=desk.cookies["agent"]) for _ in range(3)]
        for tab in tabs:
            await tab.open("/")  # a page without live updates: only the script starts them
            load = event_name(DashboardState.load)
            await tab.call(load)  # the first shows the numbers (an update comes back) ...
            for _ in range(19):
                await tab.send(load)  # ... the others find them as they were: nothing to send
        started = settled_watching(app)
        for tab in tabs:
            await tab.close()
        return started

    assert run(scenario()) == 3
    assert settled_watching(app) == 0


def test_navigating_away_stops_the_watcher(app, desk):
    async def scenario() -> tuple[int, int]:
        async with ReflexTab(app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/dashboard")
            on_dashboard = settled_watching(app)
            await tab.navigate("/")
            return on_dashboard, settled_watching(app)

    assert run(scenario()) == (1, 0)


def test_a_process_keeps_at_most_its_limit_of_pages_live(app, desk):
    async def scenario() -> tuple[int, int]:
        people = ("agent", "admin", "requester")
        tabs = [
            ReflexTab(app.url, cookie=desk.cookies[people[n % 3]]) for n in range(WATCHER_LIMIT + 3)
        ]
        for tab in tabs:
            await tab.open("/dashboard")
        live = settled_watching(app)
        total = tabs[0].value(DashboardState, "total_tickets")
        desk.create_ticket("Arrives while the limit is reached")
        await tabs[0].wait_for(
            lambda update: (
                update.touches(DashboardState)
                and update.delta[DashboardState.get_full_name()].get("total_tickets_rx_state_")
                == total + 1
            )
        )  # the pages within the limit are still live
        for tab in tabs:
            await tab.close()
        return live, settled_watching(app)

    assert run(scenario()) == (WATCHER_LIMIT, 0)
    assert f"the limit of {WATCHER_LIMIT} live pages" in app.log()


def test_one_persons_tabs_leave_live_pages_for_the_others(app, desk):
    """An agent opening more tabs than the process keeps live holds only their share (their
    newest pages); the requester's page, opened after, still gets its live place."""

    async def scenario() -> tuple[int, int, bool]:
        tabs = [ReflexTab(app.url, cookie=desk.cookies["agent"]) for _ in range(WATCHER_LIMIT + 2)]
        for tab in tabs:
            await tab.open("/dashboard")
        agents = settled_watching(app)
        async with ReflexTab(app.url, cookie=desk.cookies["requester"]) as theirs:
            await theirs.open("/dashboard")
            both = settled_watching(app)
        for tab in tabs:
            await tab.close()
        return agents, both, "the limit of" in app.log()[-2000:]

    agents, both, _ = run(scenario())
    assert agents == WATCHER_SHARE  # not every live page of the process
    assert both == WATCHER_SHARE + 1
