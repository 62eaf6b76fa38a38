"""Pushes that do not open the tab's state: a woken list or dashboard is sent what changed
straight down its socket, and its state catches up at its next event.

A change wakes every live page of the process. Reloading one through Reflex opens the tab's
state (its lock, and in production a read from Redis and an unpickle), runs the reload, works
out and serializes the delta, writes the state back and releases the lock: most of a push's
CPU, per tab, although hundreds of tabs show the same view. Reflex 0.10 has no way to send
one update to many tabs (the upstream proposal is in docs/performance.md), so this module
does the part it needs, and only for tabs whose page says how:

- `note` keeps, after a whole reload under the tab's lock, what the page state holds (every
  var, backend var and computed var of the page's own state) and the page's `view`: the
  reload's assignments as a function of what it was loaded with (filters, page, viewer),
  reading through the shared reads, so the tabs of a view share the query and the objects.
- `push` runs that view at the new revision, compares with what the tab holds, recomputes
  the page's computed vars that read a changed var (their own functions, over the held
  values), and sends the tab the delta Reflex would have sent, as the same Socket.IO packet.
  Each value is serialized once for every tab that is sent the same object. What it cannot
  do the same way (no noted page, a view that asks for the whole reload, a computed var that
  reads elsewhere, a session that no longer holds, a closed socket) it leaves to the
  caller's whole reload, and so does anything it is unsure of.
- What was sent waits here (`pending`) until the tab's state is next opened: the websocket
  gate (`ui/gate.py`) and the watch loop's whole reload `settle` it into the state before
  anything reads it, so handlers and later deltas see what the tab shows. Any event of the
  tab `forget`s the note (its handlers may change anything), and a push that finds its note
  gone or replaced after its awaits sends nothing: a click's answer is never overtaken by a
  push computed before it.
- A tab's own events go first: while one runs in this process (`event_started`, from the
  gate), woken pages wait before their next check or push (`after_events`). A change's
  pushes take hundreds of the event loop's turns, and a click that lands among them waited
  behind them for its every turn. Only the first EVENTS_FIRST_SECONDS of a busy spell hold
  them: a long event (a bulk change) or a stream of events from many tabs must not stop
  every page's updates.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache, partial
from types import SimpleNamespace
from typing import Any

import reflex as rx
from reflex.state import BaseState
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.utils import format
from socketio import packet

from ticket_app.services import sessions
from ticket_app.services.access import Actor
from ticket_app.ui.live.shared_reads import at_revision, in_live_thread

View = Callable[[], Awaitable[dict[str, Any] | None]]
"""A page's reload as a function of what it was loaded with: the values it assigns, or None
when only a whole reload will do (its rows are gone, and it goes back to page one)."""

MAX_PENDING = 20_000  # tabs whose state has not yet caught up; beyond it the oldest is dropped
EVENTS_FIRST_SECONDS = 0.25  # how long a spell of the tabs' own events holds the woken pages


@dataclass
class _Noted:
    """What a tab's page state holds, as of its last whole reload and the pushes since."""

    state: type[BaseState]
    sid: str
    secret: str
    actor: Actor
    values: dict[str, Any]
    view: View


def _held_values(state: BaseState) -> dict[str, Any]:
    """Every var, backend var and computed var of the page's own state, as it holds them."""
    cls = state.__class__
    names = [name for name, f in cls.__fields__.items() if f._owner is cls]
    names += list(cls.computed_vars)
    return {name: state.get_value(name) for name in names}


def _dependents(cls: type[BaseState], changed: set[str]) -> list[str] | None:
    """The computed vars of `cls` that read a changed var, in an order they can be computed
    in; None when one of them is in another state (only a whole reload updates those)."""
    own, found, queue = cls.get_full_name(), [], list(changed)
    while queue:
        for state_name, name in cls._var_dependencies.get(queue.pop(), ()):
            if state_name != own:
                return None
            if name not in found:
                found.append(name)
                queue.append(name)
    return found


class Pushes:
    """The noted pages and the values waiting to reach their states, for one event loop."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self._noted: dict[str, _Noted] = {}
        self._pending: OrderedDict[str, tuple[type[BaseState], dict[str, Any]]] = OrderedDict()
        self._max_pending = max_pending
        self._namespace: Any = None
        self._prefix = ""
        self._json: dict[int, tuple[object, str]] = {}
        self._json_revision: Hashable = None
        self._events = 0  # tabs' own events running in this process
        self._busy_since = 0.0  # when the first of them started (time.monotonic)
        self._no_events = asyncio.Event()
        self._no_events.set()
        self.sent = 0  # pushes sent past the state (tests and benches read these)
        self.whole = 0  # pushes left to a whole reload

    def attach(self, namespace: Any) -> None:
        """The app's event namespace (a lifespan task): without it every push is whole."""
        self._namespace = namespace
        self._prefix = namespace.server.packet_class(
            packet.EVENT, namespace=namespace.namespace, data=None
        ).encode()

    def note(self, state: BaseState, view: View, *, actor: Actor, secret: str) -> None:
        """After a whole reload, under the tab's lock: what the tab now shows, and how to
        recompute it."""
        session = state.router.session
        self._noted[session.client_token] = _Noted(
            state.__class__, session.session_id, secret, actor, _held_values(state), view
        )

    def forget(self, token: str) -> None:
        """The tab did something of its own (or left): its next push is a whole reload."""
        self._noted.pop(token, None)

    def settle(self, token: str, state: BaseState) -> None:
        """Give the tab's opened page state what was pushed to the tab past it."""
        held = self._pending.get(token)
        if held is None or held[0] is not state.__class__:
            return
        del self._pending[token]
        for name, value in held[1].items():
            if state.get_value(name) != value:
                setattr(state, name, value)

    async def pending_for(self, token: str, root: BaseState) -> None:
        """`settle` for an event's root state: loads the page state only when a push waits."""
        held = self._pending.get(token)
        if held is not None:
            self.settle(token, await root.get_state(held[0]))

    async def push(self, token: str, revision: Hashable) -> bool:
        """Send the tab what changed at `revision` without opening its state; False when it
        takes a whole reload instead (nothing was sent, nothing is pending from this call)."""
        noted = self._noted.get(token)
        if noted is None or self._namespace is None or not await self._confirmed(noted):
            return self._whole(token)
        with at_revision(revision):
            fresh = await noted.view()
        if fresh is None:
            return self._whole(token)
        changed = {
            name: value
            for name, value in fresh.items()
            if not (value is noted.values[name] or value == noted.values[name])
        }
        if not changed:
            return True
        after = {**noted.values, **changed}
        dependents = _dependents(noted.state, set(changed))
        if dependents is None:
            return self._whole(token)
        facade = SimpleNamespace(**after)
        try:
            for name in dependents:
                after[name] = noted.state.computed_vars[name].fget(facade)
                setattr(facade, name, after[name])
        except Exception:  # a computed var that reads more than its state: whole reload
            return self._whole(token)
        if self._noted.get(token) is not noted:
            return False  # the tab acted while the view was read: its own answer goes first
        eio_sid = self._eio_sid(noted.sid, token)
        if eio_sid is None:
            return self._whole(token)
        sent = {
            name: after[name]
            for name in (*changed, *dependents)
            if not name.startswith("_") and after[name] != noted.values[name]
        }
        noted.values = after
        waiting = self._pending.pop(token, (noted.state, {}))[1]
        waiting.update((name, value) for name, value in changed.items())
        self._pending[token] = (noted.state, waiting)
        while len(self._pending) > self._max_pending:
            self._pending.popitem(last=False)
        if sent:
            await self._send(eio_sid, noted.state.get_full_name(), sent, revision)
        self.sent += 1
        return True

    def event_started(self, task: asyncio.Task[Any]) -> None:
        """A tab's own event runs in `task` (its handler, delta and write-back): woken
        pages wait for it to finish."""
        if not self._events:
            self._busy_since = time.monotonic()
            self._no_events.clear()
        self._events += 1
        task.add_done_callback(self._event_finished)

    def _event_finished(self, _task: asyncio.Task[Any]) -> None:
        self._events -= 1
        if not self._events:
            self._no_events.set()

    async def after_events(self) -> None:
        """Before a woken page's check, push or reload: until no tab's own event runs, or
        the spell of events has lasted EVENTS_FIRST_SECONDS."""
        if not self._events:
            return
        left = self._busy_since + EVENTS_FIRST_SECONDS - time.monotonic()
        if left > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._no_events.wait(), left)

    def _whole(self, token: str) -> bool:
        self.whole += 1
        self._noted.pop(token, None)
        return False

    async def _confirmed(self, noted: _Noted) -> bool:
        """The session still holds for the same person and role: from the cache of
        identities, or asked again when the cache has forgotten it (which caches it), in a
        live-read thread: the cached sessions of a process's tabs expire together, and their
        hundreds of questions must not hold up a click's own."""
        found, actor = sessions.cached(noted.secret)
        if not found:
            actor = await in_live_thread(partial(sessions.resolve, noted.secret))
        return actor is not None and actor == noted.actor

    def _eio_sid(self, sid: str, token: str) -> str | None:
        """The tab's Engine.IO session, while its socket is open in this process."""
        if self._namespace.sid_to_token.get(sid) != token:
            return None
        return self._namespace.server.manager.eio_sid_from_sid(sid, self._namespace.namespace)

    async def _send(
        self, eio_sid: str, state_name: str, values: Mapping[str, Any], revision: Hashable
    ) -> None:
        """The Socket.IO event Reflex sends for this delta, each value serialized once."""
        if revision != self._json_revision:
            self._json, self._json_revision = {}, revision
        body = ",".join(
            f"{format.json_dumps(name + FIELD_MARKER)}:{self._serialized(value)}"
            for name, value in values.items()
        )
        update = f'["event",{{"delta":{{{format.json_dumps(state_name)}:{{{body}}}}}}}]'
        await self._namespace.server.eio.send(eio_sid, self._prefix + update)

    def _serialized(self, value: object) -> str:
        held = self._json.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        text = format.json_dumps(value)
        self._json[id(value)] = (value, text)
        return text


@lru_cache(maxsize=1)
def get_pushes() -> Pushes:
    """The process's pushes (the backend has one event loop)."""
    return Pushes()


async def settle_event(token: str, root: rx.State) -> None:
    """The gate's step for every event of a tab: catch its state up, drop its note."""
    pushes = get_pushes()
    pushes.forget(token)
    await pushes.pending_for(token, root)
