"""The gate holds an enrolment-only session (staff whose desk requires two-factor, not set up
yet) to the enrolment page's state: any other signed-in handler sends the tab there (or is
dropped when the tab is there already), the enrolment's own handlers pass. The same call over
the real websocket is in tests/served/test_signed_out_clients.py."""

import asyncio
from typing import Any

import pytest
from reflex_base.event import Event

from tests.support.reflex_client import event_name
from ticket_app.services import sessions
from ticket_app.ui.gate import SignedInOnly
from ticket_app.ui.state.account import AccountState
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.sessions import OwnSessionsState
from ticket_app.ui.state.tickets import TicketsState
from ticket_app.ui.state.two_factor import TwoFactorState
from ticket_app.ui.state.user_security import UserSecurityState

from .conftest import at_url, new


def answer(secret: str, path: str, handler: Any) -> Any:
    """What the gate does with `handler`'s event from a tab at `path` holding `secret`."""
    state = at_url(new(TicketsState), path, secret)
    root = state.parent_state.parent_state
    root.router = state.router
    event = Event(name=event_name(handler), payload={})
    return asyncio.run(SignedInOnly().preprocess(None, root, event))


@pytest.fixture
def restricted(agent) -> str:
    return sessions.start(agent.actor, enrolment_only=True)


OTHERS = (
    TicketsState.load,
    AccountState.create_token,
    OwnSessionsState.end_others,
    UserSecurityState.set_rule,
    SessionState.guard,
)


@pytest.mark.parametrize("handler", OTHERS)
def test_any_other_handler_sends_the_tab_to_the_enrolment(restricted, handler):
    update = answer(restricted, "/tickets", handler)
    assert update is not None
    [redirect] = update.events
    assert redirect.payload["path"] == "/account/two-factor"


@pytest.mark.parametrize("handler", OTHERS)
def test_on_the_enrolment_page_other_handlers_are_dropped(restricted, handler):
    update = answer(restricted, "/account/two-factor", handler)
    assert update is not None
    assert update.events == []
    assert update.delta == {}


@pytest.mark.parametrize(
    "handler", [TwoFactorState.load, TwoFactorState.begin, TwoFactorState.confirm]
)
def test_the_enrolments_own_handlers_pass(restricted, handler):
    assert answer(restricted, "/account/two-factor", handler) is None


def test_a_whole_session_passes_and_no_session_goes_to_sign_in(agent):
    whole = sessions.start(agent.actor)
    assert answer(whole, "/tickets", TicketsState.load) is None
    update = answer("", "/tickets", TwoFactorState.begin)
    assert update.events[0].payload["path"].startswith("/login")
