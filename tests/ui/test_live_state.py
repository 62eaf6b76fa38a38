"""The per-page watch loop: reloads on a new revision, stops when the tab left the page, and
cannot be started twice by a client calling it directly."""

import asyncio

import pytest

from ticket_app.services.revisions import Revision
from ticket_app.ui.live import shared_reads
from ticket_app.ui.live.revision import RevisionWatcher
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


async def watching(state: TicketsState) -> list:
    """Run the page's watch loop (an async generator) to its end; what it yielded."""
    return [event async for event in TicketsState.watch_changes.fn(state)]


def test_the_loop_reloads_on_a_change_and_stops_when_the_tab_leaves(make_ticket, revision):
    state = at_url(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    state._seen_revision = revision[0]

    async def scenario() -> None:
        loop = asyncio.create_task(watching(state))
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
        at_url(state, "/dashboard")  # the tab navigated away: an event, so
        shared_reads.get_shared_reads().forget(state.router.session.client_token)
        revision[0] = 3
        await asyncio.wait_for(loop, 1)

    asyncio.run(scenario())


def test_a_session_that_ends_sends_the_open_page_to_sign_in(make_ticket, revision):
    from ticket_app.services import sessions

    from .conftest import _session

    state = at_url(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    revision[0] = state._seen_revision = Revision(tickets=1, access=1, views=0)

    async def scenario() -> list:
        loop = asyncio.create_task(watching(state))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(sessions.revoke, _session["secret"])  # signed out in another tab
        revision[0] = Revision(tickets=1, access=2, views=0)  # what the revoke moved
        return await asyncio.wait_for(loop, 2)

    (event,) = asyncio.run(scenario())
    assert event.handler.fn.__qualname__ == "_redirect"


def test_retry_makes_a_page_live_when_its_first_load_failed(database_url, revision, monkeypatch):
    from ticket_app.services.errors import DatabaseUnavailable

    def down():
        raise DatabaseUnavailable()

    watcher = live_state.get_watcher()
    monkeypatch.setattr(watcher, "latest", None)
    monkeypatch.setattr(live_state.revisions, "current", down)
    state = at_url(new(TicketsState), "/tickets")
    assert run(TicketsState.load, state) is None  # nothing loaded, no watcher started
    assert state.error.startswith("The database is unavailable")
    monkeypatch.undo()
    monkeypatch.setattr(live_state, "get_watcher", lambda: watcher)
    assert run(TicketsState.retry, state) == TicketsState.watch_changes
    assert state.loaded
    assert not state.error
    assert run(TicketsState.retry, state) is None  # live already: a retry only reloads


def test_a_page_load_arms_exactly_one_watcher(database_url, revision):
    state = at_url(new(TicketsState), "/tickets")

    async def scenario() -> None:
        await asyncio.wait_for(watching(state), 0.5)  # nothing armed it
        await TicketsState.load.fn(state)
        armed = asyncio.create_task(watching(state))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(watching(state), 0.5)  # a second call
        assert not armed.done()
        armed.cancel()

    asyncio.run(scenario())
