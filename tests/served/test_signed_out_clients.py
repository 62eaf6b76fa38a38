"""A websocket client without a valid session gets no ticket data, whatever it sends.

Reflex lets any client call any state's handler with any arguments. These tests speak the real
event protocol (tests/support/reflex_client.py) against the served app: a planted ticket's
secret word must never appear in anything the server sends back, and every event of a
signed-in page is answered with the way to the login page. Requesters' tabs are checked the
same way against a ticket that is not theirs, including the live pushes while staff change it,
and a session that serves two-factor enrolment only against every other page's handler.
"""

import asyncio
import inspect
import json
import sqlite3
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.reflex_client import ReflexTab, event_name
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.two_factor import TwoFactorState

from .conftest import PASSWORD, Desk, manage, post_form, run, session_cookie

pytestmark = pytest.mark.served

ARGUMENTS: tuple[Any, ...] = (
    *(1, "1", 2**31, "none", "all", "x" * 300, None, {"reply": "hi"}),
    *("<reflex.Var>x</reflex.Var>", "<reflex.Var>1</reflex.Var>", "<reflex.Var>"),
)
PAGES = ("/tickets", "/board", "/dashboard", "/tickets/1", "/account", "/admin/users", "/")


def signed_in_handlers(but: type | None = None) -> list[tuple[str, list[str]]]:
    """Every event handler of every state below SessionState (`but` one of them): (event
    name, argument names)."""
    found, pending = [], [SessionState]
    while pending:
        state = pending.pop()
        pending.extend(state.get_substates())
        if state is but:
            continue
        for name, handler in state.event_handlers.items():
            arguments = list(inspect.signature(handler.fn).parameters)[1:]
            found.append((event_name(getattr(state, name)), arguments))
    return found


def frames(tab: ReflexTab) -> str:
    """Everything the server sent to the tab, as text."""
    return json.dumps([(update.delta, update.events) for update in tab.updates], default=str)


async def hammer(tab: ReflexTab, but: type | None = None) -> None:
    """Call every signed-in handler (but those of the state `but`) with each kind of
    argument, on every page."""
    handlers = signed_in_handlers(but)
    for page in (*PAGES, f"/tickets/{PLANTED['id']}"):
        await tab.navigate(page)
        for name, arguments in handlers:
            for value in ARGUMENTS:
                await tab.send(name, dict.fromkeys(arguments, value))
    await asyncio.sleep(2)  # let every answer arrive


PLANTED: dict[str, Any] = {}  # the planted ticket as created, to compare after each hammer


@pytest.fixture(scope="module")
def secret(desk: Desk) -> str:
    word = "secret" + uuid.uuid4().hex[:10]
    PLANTED.update(
        desk.create_ticket(f"Quarterly numbers {word}", category="billing", priority="high")
    )
    return word


def assert_planted_untouched(desk: Desk) -> None:
    """No handler called by the hammer changed, took, merged or deleted the planted ticket."""
    now = desk.get_ticket(PLANTED["id"])  # a 404 here would raise: deleted
    assert now["version"] == PLANTED["version"], now


@pytest.mark.parametrize("cookie", ["", "support_desk_session=sds_" + "A" * 43, "garbage=1"])
def test_a_client_without_a_valid_session_learns_nothing(live_app, desk, secret, cookie):
    async def scenario() -> str:
        async with ReflexTab(live_app.url, cookie=cookie or None) as tab:
            await tab.open("/tickets")
            await hammer(tab)
            return frames(tab)

    sent = run(scenario())
    assert secret not in sent
    assert "Quarterly numbers" not in sent
    assert '"/login' in sent  # the events were answered with the way to sign in
    assert_planted_untouched(desk)


def test_a_revoked_session_stops_a_tab_that_was_signed_in(live_app, desk, secret):
    cookie = session_cookie(live_app, "alan@example.com")

    async def scenario() -> tuple[bool, str]:
        async with ReflexTab(live_app.url, cookie=cookie) as tab:
            await tab.open("/tickets")
            saw_it = secret in frames(tab)
            await asyncio.to_thread(post_form, live_app, "/auth/sign-out", {}, cookie)
            before = len(tab.updates)
            await asyncio.sleep(3)  # the access revision moves; the open page re-checks
            await tab.send(event_name(SessionState.guard))
            await asyncio.sleep(1)
            later = json.dumps([(u.delta, u.events) for u in tab.updates[before:]], default=str)
            return saw_it, later

    saw_it, later = run(scenario())
    assert saw_it  # signed in, the agent saw the ticket
    assert '"/login' in later
    assert secret not in later


def test_a_requester_tab_never_receives_anothers_ticket(live_app, desk, secret):
    async def scenario() -> str:
        async with ReflexTab(live_app.url, cookie=desk.cookies["requester"]) as tab:
            await tab.open("/tickets")
            await tab.navigate("/dashboard")
            await tab.navigate("/tickets")
            others = desk.create_ticket(f"Another {secret} arrives", category="general")
            await asyncio.sleep(3)  # the live push to every open list
            await tab.navigate(f"/tickets/{others['id']}")
            await hammer(tab)
            return frames(tab)

    sent = run(scenario())
    assert secret not in sent
    assert_planted_untouched(desk)


@pytest.fixture
def held(live_app, desk) -> Iterator[tuple[str, int]]:
    """A new agent at a desk that requires two-factor of staff, signed in with the password
    alone: (the cookie of their enrolment-only session, their id). The rule is set in the
    database (through the API an admin needs two-factor for it) and cleared afterwards."""
    email = f"eve-{uuid.uuid4().hex[:6]}@example.com"
    manage(
        live_app,
        "create-user",
        email,
        "--name",
        "Eve",
        "--role",
        "agent",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    database = live_app.log_path.parent / "tickets.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE desk_settings SET staff_two_factor_required = 1")
    try:
        answer = post_form(live_app, "/auth/sign-in", {"email": email, "password": PASSWORD})
        assert answer["location"] == "/account/two-factor"
        people = api_get(desk, "/api/users/")
        yield (
            answer["set-cookie"].split(";", 1)[0],
            next(person["id"] for person in people if person["email"] == email),
        )
    finally:
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE desk_settings SET staff_two_factor_required = 0")


def api_get(desk: Desk, path: str) -> object:
    request = urllib.request.Request(
        desk.app.url + path, headers={"authorization": f"Bearer {desk.admin_token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_an_enrolment_only_tab_reaches_the_enrolment_and_nothing_else(live_app, desk, secret, held):
    cookie, eve = held

    async def scenario() -> tuple[str, str, str]:
        async with ReflexTab(live_app.url, cookie=cookie) as tab:
            await tab.open("/account/two-factor")
            await tab.call(event_name(TwoFactorState.begin))
            enrolment, before = frames(tab), len(tab.updates)
            await hammer(tab, but=TwoFactorState)
            answers = json.dumps([update.events for update in tab.updates[before:]])
            return enrolment, frames(tab), answers

    enrolment, sent, answers = run(scenario())
    assert "data:image/svg+xml" in enrolment  # its own page works: the QR code of a set-up
    assert secret not in sent
    assert "Quarterly numbers" not in sent
    assert '"/account/two-factor' in answers  # the other pages' events were sent back there
    assert '"/login' not in answers
    assert api_get(desk, f"/api/users/{eve}/tokens/") == []  # create_token did nothing
    assert_planted_untouched(desk)
