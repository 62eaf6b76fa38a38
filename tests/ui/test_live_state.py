"""The per-page watch loop: reloads on a new revision, stops when the tab left the page, and
cannot be started twice by a client calling it directly."""

import asyncio

import pytest

from ticket_app.ui.live import RevisionWatcher
from ticket_app.ui.state import live as live_state
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run


@pytest.fixture
def revision(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A watcher over a revision number the test moves (value[0])."""
    value = [1]
    watcher = RevisionWatcher(lambda: value[0], lambda: 0.02)
    monkeypatch.setattr(live_state, "get_watcher", lambda: watcher)
    return value


def test_the_loop_reloads_on_a_change_and_stops_when_the_tab_leaves(make_ticket, revision):
    state = at_url(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    state._seen_revision = revision[0]

    async def scenario() -> None:
        loop = asyncio.create_task(TicketsState.watch_changes.fn(state))
        await asyncio.sleep(0.1)
        assert state.rows == []
        await asyncio.to_thread(make_ticket, "Arrived meanwhile")
        revision[0] = 2
        for _ in range(50):
            await asyncio.sleep(0.02)
            if state.rows:
                break
        assert [row.title for row in state.rows] == ["Arrived meanwhile"]
        assert state._seen_revision == 2
        at_url(state, "/dashboard")  # the tab navigated away
        revision[0] = 3
        await asyncio.wait_for(loop, 1)

    asyncio.run(scenario())


def test_a_page_load_arms_exactly_one_watcher(database_url, revision):
    state = at_url(new(TicketsState), "/tickets")

    async def scenario() -> None:
        await asyncio.wait_for(TicketsState.watch_changes.fn(state), 0.5)  # nothing armed it
        await TicketsState.load.fn(state)
        armed = asyncio.create_task(TicketsState.watch_changes.fn(state))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(TicketsState.watch_changes.fn(state), 0.5)  # a second call
        assert not armed.done()
        armed.cancel()

    asyncio.run(scenario())
