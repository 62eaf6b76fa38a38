"""Pushes past the tab's state (`ui/live/push.py`): the packet a tab is sent is the update
Reflex would have sent after a whole reload, the state takes it at its next opening, and a
tab that acted meanwhile, or that the push cannot serve, is left to the whole reload; and a
tab's own event goes before the pushes of a change."""

import asyncio
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from reflex.istate.data import RouterData
from reflex_base.event import Event
from reflex_base.utils import format
from socketio import packet

from tests.support.reflex_client import event_name
from ticket_app.services import sessions
from ticket_app.ui.gate import SignedInOnly
from ticket_app.ui.live import push
from ticket_app.ui.live.push import Pushes, get_pushes
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import _session, new, run

TOKEN, SID = "tab-token-1", "socket-1"


class Socket:
    """The app's event namespace as the pushes use it, keeping what it was sent."""

    def __init__(self) -> None:
        self.namespace = "/_event"
        self.sid_to_token = {SID: TOKEN}
        self.sent: list[tuple[str, str]] = []

        async def send(eio_sid: str, text: str) -> None:
            self.sent.append((eio_sid, text))

        self.server = SimpleNamespace(
            packet_class=packet.Packet,
            manager=SimpleNamespace(eio_sid_from_sid=lambda sid, _ns: f"eio-{sid}"),
            eio=SimpleNamespace(send=send),
        )

    def updates(self) -> list[dict[str, Any]]:
        """The Socket.IO events sent, decoded as the browser's client decodes them."""
        prefix = '2/_event,["event",'
        decoded = []
        for _eio_sid, text in self.sent:
            assert text.startswith(prefix)
            event, update = json.loads(text[len("2/_event,") :])
            assert event == "event"
            decoded.append(update)
        return decoded


@pytest.fixture
def socket() -> Iterator[Socket]:
    get_pushes.cache_clear()
    attached = Socket()
    get_pushes().attach(attached)
    yield attached
    get_pushes.cache_clear()


def in_tab(state: Any, path: str, token: str = TOKEN, secret: str | None = None) -> Any:
    """The state on `path` in the tab `token` whose socket is SID, signed in as the viewer
    (or holding `secret` as its session cookie)."""
    cookie = f"{sessions.COOKIE_NAME}={secret or _session['secret']}"
    headers = {"origin": "http://test", "cookie": cookie}
    route, _, query = path.partition("?")
    params = dict(item.split("=", 1) for item in query.split("&") if item)
    state.router = RouterData.from_router_data(
        {"pathname": route, "asPath": path, "query": params, "headers": headers,
         "token": token, "sid": SID}
    )  # fmt: skip
    return state


def sent_values(update: dict[str, Any], state_class: Any) -> dict[str, Any]:
    return {
        name.removesuffix("_rx_state_"): value
        for name, value in update["delta"][state_class.get_full_name()].items()
    }


def as_sent(value: Any) -> Any:
    """A value as Reflex serializes it for the browser."""
    return json.loads(format.json_dumps(value))


def test_a_push_sends_what_a_whole_reload_shows_and_the_state_takes_it_later(socket, make_ticket):
    state = in_tab(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    assert state.rows == []
    assert state.range_text == "0 tickets"
    make_ticket("Printer on fire")

    assert asyncio.run(get_pushes().push(TOKEN, ("revision", 2)))

    [update] = socket.updates()
    assert socket.sent[0][0] == f"eio-{SID}"
    assert list(update["delta"]) == [TicketsState.get_full_name()]  # the page's vars only
    pushed = sent_values(update, TicketsState)
    fresh = in_tab(new(TicketsState), "/tickets", token="another-tab")
    run(TicketsState.load, fresh)
    for name, value in pushed.items():
        assert value == as_sent(getattr(fresh, name)), name
    assert [row["title"] for row in pushed["rows"]] == ["Printer on fire"]
    assert pushed["range_text"] == "Showing 1–1 of 1 ticket"  # a computed var, recomputed
    assert "_next_cursor" not in pushed
    assert "saved_views" in pushed
    assert state.rows == []  # the tab's state has not been opened yet
    get_pushes().settle(TOKEN, state)
    assert [row.title for row in state.rows] == ["Printer on fire"]
    assert state.total == 1
    assert state.range_text == "Showing 1–1 of 1 ticket"
    assert {"rows", "total"} <= state.dirty_vars  # and its next delta carries them again


def test_a_second_push_sends_only_what_moved_since_the_first(socket, make_ticket):
    state = in_tab(new(DashboardState), "/dashboard")
    run(DashboardState.load, state)
    make_ticket("First")
    assert asyncio.run(get_pushes().push(TOKEN, ("revision", 2)))
    assert asyncio.run(get_pushes().push(TOKEN, ("revision", 3)))  # nothing new: nothing sent
    make_ticket("Second")
    assert asyncio.run(get_pushes().push(TOKEN, ("revision", 4)))

    first, second = (sent_values(update, DashboardState) for update in socket.updates())
    assert first["total_tickets"] == 1
    assert second["total_tickets"] == 2
    assert "agreement_share" not in second  # as it was: not sent again
    get_pushes().settle(TOKEN, state)
    assert state.total_tickets == 2


def test_a_tab_that_acts_while_its_view_is_read_is_sent_nothing(socket, make_ticket):
    state = in_tab(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    make_ticket("Arrives while the agent clicks")

    async def scenario() -> bool:
        pushing = asyncio.create_task(get_pushes().push(TOKEN, ("revision", 9)))
        await asyncio.sleep(0)  # the push now waits for its query in a worker thread
        await push.settle_event(TOKEN, state)  # the tab's own event, through the gate
        return await pushing

    assert asyncio.run(scenario()) is False
    assert socket.sent == []  # the click's answer is not overtaken by an older view


@pytest.mark.parametrize("why", ["no socket", "socket closed", "not noted", "signed out"])
def test_a_push_it_cannot_serve_is_left_to_the_whole_reload(socket, make_ticket, why):
    state = in_tab(new(TicketsState), "/tickets")
    run(TicketsState.load, state)
    make_ticket("Needs the whole reload")
    pushes = get_pushes()
    if why == "no socket":
        pushes, actor = Pushes(), viewer()
        pushes.note(state, state._view(actor), actor=actor, secret=_session["secret"])
    elif why == "socket closed":
        socket.sid_to_token.clear()
    elif why == "not noted":
        pushes.forget(TOKEN)
    else:
        sessions.revoke(_session["secret"])

    assert asyncio.run(pushes.push(TOKEN, ("revision", 5))) is False
    assert socket.sent == []
    assert pushes.whole == 1


def viewer() -> Any:
    found, actor = sessions.cached(_session["secret"])
    assert found
    return actor


def test_settling_takes_only_the_page_the_push_was_for(socket, make_ticket):
    tickets_page = in_tab(new(TicketsState), "/tickets")
    run(TicketsState.load, tickets_page)
    make_ticket("Pushed to the list")
    assert asyncio.run(get_pushes().push(TOKEN, ("revision", 2)))
    dashboard = in_tab(new(DashboardState), "/dashboard")
    get_pushes().settle(TOKEN, dashboard)  # another page's state: left alone
    assert dashboard.dirty_vars == set()
    get_pushes().settle(TOKEN, tickets_page)
    assert len(tickets_page.rows) == 1
    tickets_page.rows = []
    get_pushes().settle(TOKEN, tickets_page)  # taken once: nothing waits any more
    assert tickets_page.rows == []


def through_the_gate(
    handler: Any, runs_for: float, passed: asyncio.Event, secret: str | None = None
) -> Any:
    """A tab's event as Reflex runs it: a task that passes the gate (or, with a `secret`
    that is no session, is sent to sign in), then takes `runs_for` seconds."""
    state = in_tab(new(TicketsState), "/tickets", secret=secret)
    root = state.parent_state.parent_state
    root.router = state.router
    event = Event(name=event_name(handler), payload={})

    async def event_task() -> None:
        answer = await SignedInOnly().preprocess(None, root, event)
        assert (answer is None) == (secret is None)
        passed.set()
        await asyncio.sleep(runs_for)

    return event_task()


async def woken_page_waits(
    handler: Any, runs_for: float, pages: int = 1, secret: str | None = None
) -> list[float]:
    """How long `pages` woken pages, one after the other, waited before their pushes, from
    when the event passed the gate; and last, how long the event ran from then."""
    loop, passed = asyncio.get_running_loop(), asyncio.Event()
    event = asyncio.create_task(through_the_gate(handler, runs_for, passed, secret))
    await passed.wait()
    started, times = loop.time(), []
    for _ in range(pages):
        await get_pushes().after_events()
        times.append(loop.time() - started)
    await event
    return [*times, loop.time() - started]


def test_a_woken_page_lets_a_tabs_own_event_finish_first(socket, monkeypatch):
    monkeypatch.setattr(push, "EVENTS_FIRST_SECONDS", 5.0)
    waited, event_ran = asyncio.run(woken_page_waits(TicketsState.next_page, 0.3))
    assert waited >= 0.29
    assert event_ran - waited < 1.0  # and went on as soon as it finished


def test_a_long_event_holds_the_woken_pages_only_at_its_start(socket, monkeypatch):
    """A bulk change that takes seconds: the pages after the first go on without waiting."""
    monkeypatch.setattr(push, "EVENTS_FIRST_SECONDS", 0.3)
    first, *later, event_ran = asyncio.run(woken_page_waits(TicketsState.next_page, 3.0, 3))
    assert 0.2 <= first < 2.0
    assert later[-1] - first < 0.5  # the second and third did not wait again
    assert event_ran >= 2.99


def test_a_background_event_does_not_hold_the_woken_pages(socket, monkeypatch):
    """A page's watcher (or a suggestion) runs for as long as the page is open."""
    monkeypatch.setattr(push, "EVENTS_FIRST_SECONDS", 5.0)
    waited, event_ran = asyncio.run(woken_page_waits(TicketsState.watch_changes, 2.0))
    assert waited < 1.0
    assert event_ran >= 1.99


def test_a_strangers_events_hold_nobodys_updates(socket, monkeypatch):
    """Anyone may open the websocket and send events; only a signed-in tab's go first."""
    monkeypatch.setattr(push, "EVENTS_FIRST_SECONDS", 5.0)
    waited, event_ran = asyncio.run(
        woken_page_waits(TicketsState.next_page, 2.0, secret="no-such-session")
    )
    assert waited < 1.0
    assert event_ran >= 1.99
