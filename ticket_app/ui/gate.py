"""The UI's gate: no event reaches a signed-in page's state without a valid session.

Any websocket client may send any event name with any arguments, so the rule is enforced
once, before handlers run (a Reflex middleware), rather than in each handler:
- an event for a state below `SessionState` is dropped unless the tab's session resolves to
  an active user; the tab is sent to the login page instead;
- when the session behind a tab changes (signed out, or another person signed in on the same
  browser tab), every page state is reset before anything is sent, so the previous person's
  data never reaches the next one, not even in the hydrate that follows a page load.
- a session that serves two-factor enrolment only (staff whose desk requires it) reaches the
  enrolment page's state alone: any other event sends the tab there (and is dropped when the
  tab is already there, so a page's own events never loop);
- an event whose arguments hold more text than any form of the desk sends (EVENT_TEXT_MAX
  characters in all) is refused before any handler or setter keeps it in the tab's state;
Every event also makes the tab's next live reload a whole one (`shared_reads.forget`), after
its page state took what was pushed to the tab past it (`push.settle_event`); and a
signed-in tab's own (foreground) event goes before the pushes of a change
(`Pushes.event_started`).
Handlers still resolve the actor themselves (`SessionState._actor`): the services need it,
and it is re-checked at every use.
"""

import asyncio
import hashlib
from functools import lru_cache

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event

from ticket_app.domain import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from ticket_app.services import sessions
from ticket_app.ui import browser, routes
from ticket_app.ui.live.push import get_pushes, settle_event
from ticket_app.ui.live.shared_reads import get_shared_reads
from ticket_app.ui.state.live import LiveState
from ticket_app.ui.state.session import SessionState, here, resolve_actor, session_secret
from ticket_app.ui.state.two_factor import TwoFactorState

BOUND_SESSION = "_bound_session"
# The largest thing a page sends is a new ticket (title and description) or a reply; twice that
# still shows the form's own "at most ... characters" message to someone who typed too much.
EVENT_TEXT_MAX = 2 * (DESCRIPTION_MAX_LENGTH + TITLE_MAX_LENGTH)
TOO_LONG = f"That is too much text to send at once (at most {EVENT_TEXT_MAX:,} characters)."


def text_size(value: object, depth: int = 0) -> int:
    """Characters of text in an event's arguments (keys included); deep nesting counts as
    too much, since no form of the desk sends it."""
    if isinstance(value, str):
        return len(value)
    if depth > 4:
        return EVENT_TEXT_MAX + 1
    if isinstance(value, dict):
        return sum(len(str(k)) + text_size(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(text_size(item, depth + 1) for item in value)
    return 8


@lru_cache(maxsize=512)
def _target(root: type[BaseState], event_name: str) -> type[BaseState] | None:
    """The state class whose handler `event_name` calls (None for Reflex's own events)."""
    path = event_name.rpartition(".")[0]
    try:
        return root.get_class_substate(path)
    except ValueError:
        return None


@lru_cache(maxsize=512)
def _background(root: type[BaseState], event_name: str) -> bool:
    """Whether the handler runs as a background task (a page's watcher, a suggestion):
    those last long and hold no lock, so woken pages do not wait for them."""
    state_class = _target(root, event_name)
    handler = (
        None
        if state_class is None
        else state_class.event_handlers.get(event_name.rpartition(".")[2])
    )
    return handler is not None and handler.is_background


def _protected(state_class: type[BaseState] | None) -> bool:
    return state_class is not None and issubclass(state_class, SessionState)


def _fingerprint(secret: str | None) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()[:16]


async def _forget_previous_viewer(root: BaseState) -> None:
    """Reset every signed-in page's state (loading each, so none is left behind)."""
    for state_class in _signed_in_states(type(root)):
        state = await root.get_state(state_class)
        state.reset()


def _signed_in_states(root: type[BaseState]) -> list[type[BaseState]]:
    found: list[type[BaseState]] = []
    pending = [root]
    while pending:
        current = pending.pop()
        for substate in current.get_substates():
            if issubclass(substate, SessionState):
                found.append(substate)
            pending.append(substate)
    return found


class SignedInOnly(Middleware):
    """See the module docstring."""

    async def preprocess(self, app: rx.App, state: BaseState, event: Event) -> StateUpdate | None:
        if text_size(event.payload) > EVENT_TEXT_MAX:
            return StateUpdate(events=Event.from_event_type(browser.error(TOO_LONG)))
        # Whatever the tab does may change what its page shows: its next live reload is
        # whole, and its state first takes what was pushed past it (before a reset below).
        # Not for the watcher a page load starts (the browser sends it back as an event): it
        # shows nothing new, and the page's first change can then be pushed.
        token = state.router.session.client_token
        if event.name.rpartition(".")[2] != LiveState.watch_changes.__name__:
            get_shared_reads().forget(token)
            await settle_event(token, state)
        secret = session_secret(state)
        bound = _fingerprint(secret)
        session = await state.get_state(SessionState)
        if getattr(session, BOUND_SESSION) != bound:
            await _forget_previous_viewer(state)
            setattr(session, BOUND_SESSION, bound)
        if not _protected(_target(type(state), event.name)):
            return None
        if await resolve_actor(state) is not None:
            _goes_first(type(state), event.name)
            return None
        if await asyncio.to_thread(sessions.session_restricted, secret):
            return _held_to_enrolment(state, event)
        return StateUpdate(events=Event.from_event_type(browser.go(here(state))))


def _goes_first(root: type[BaseState], event_name: str) -> None:
    """A signed-in person's own event, in the task Reflex runs it in: the woken pages let it
    go first. A background one (a watcher, a suggestion) runs long and holds no lock; a
    stranger's events never hold anyone's updates."""
    task = asyncio.current_task()
    if task is not None and not _background(root, event_name):
        get_pushes().event_started(task)


def _held_to_enrolment(state: BaseState, event: Event) -> StateUpdate | None:
    """An enrolment-only session: its events reach the enrolment state, nothing else."""
    if _target(type(state), event.name) is TwoFactorState:
        return None
    if state.router.url.path.rstrip("/") == routes.TWO_FACTOR:
        return StateUpdate()
    return StateUpdate(events=Event.from_event_type(browser.go(routes.TWO_FACTOR)))
