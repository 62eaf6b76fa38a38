"""Live pages: a mixin that re-queries a page only when the process-wide revision moves.

A page's on_load handler loads its data and then starts `watch_changes`. That background
event waits on the shared `RevisionWatcher` (no polling of its own) and reloads the page when
another agent, the API or this agent changed a ticket, or when who may see what changed. Each
tab has at most one watcher (`TabWatchers`), so a client that sends `load` again and again
replaces its watcher instead of adding one, and the process keeps at most LIVE_WATCHERS_MAX.
Reflex cancels the watcher when its on_load chain is superseded: the tab navigates to another
page, or disconnects; the registry's sweep cancels one that a client started outside a page
load once its socket closes. The route check is a last guard so a watcher never refreshes a
page the tab has left. Tabs that wake (or load) at the same revision share each view's query
(`shared_reads`). The shared steps live here once: `loaded`/`error`, `retry` (which also
starts the watcher when the first load failed), `write` (do a service write, then wake
every live page) and `change_field` (the one-field ticket change of the list, board and
ticket page).
"""

import asyncio
from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import ExitStack
from typing import Any, TypeVar

import reflex as rx

from ticket_app.services import revisions, sessions, tickets
from ticket_app.services.access import Actor
from ticket_app.services.errors import ServiceError
from ticket_app.services.schemas import TicketRead, validate_patch, validate_ticket_id
from ticket_app.ui.live.push import View, get_pushes
from ticket_app.ui.live.revision import access_moved, get_watcher
from ticket_app.ui.live.shared_reads import at_revision, get_shared_reads
from ticket_app.ui.live.tabs import get_tab_watchers
from ticket_app.ui.messages import describe
from ticket_app.ui.viewmodels.rows import NOBODY

T = TypeVar("T")


def bell_tab(token: str) -> str:
    """Under which name a tab's bell read is noted, beside its page's own reads: the watch
    loop skips a tab only when both read as they were."""
    return token + "#bell"


async def current_revision() -> Hashable:
    """The revision a freshly loaded page shows: the poller's if it runs and has polled since
    this process last wrote, else the database's.

    Read before the page's own query, so a change in between is caught by the next wake-up.
    """
    latest = get_watcher().fresh
    if latest is not None:
        return latest
    return await asyncio.to_thread(revisions.current)


async def write(change: Callable[..., T], actor: Actor, **kwargs: Any) -> T:
    """Run a service write (`change(actor, **kwargs)`) in a worker thread, then wake every live
    page of this process at once (other processes see it at their next poll)."""
    result = await asyncio.to_thread(change, actor, **kwargs)
    get_watcher().nudge()
    return result


def assign(state: rx.State, **values: Any) -> None:
    """Set those of `values` that differ from what the state holds, and only those.

    Reflex marks a var dirty at every assignment, equal or not, and a dirty var is serialized
    and sent, and recomputes the computed vars that read it. A woken page assigns everything
    it shows; most of it is as it was (the error, the flags, the saved views, the bell), so a
    push would carry and re-render all of it for every tab. Values here are replaced, never
    mutated in place, so comparing with the held value is enough.
    """
    for name, value in values.items():
        if getattr(state, name) != value:
            setattr(state, name, value)


def change_field(
    actor: Actor, *, ticket_id: Any, field: str, value: Any, version: int | None = None
) -> TicketRead:
    """The one-field change of a ticket (the list's inline triage, a board move, the ticket
    page's edits), checked like a PATCH of the REST API; with `version`, refused when the
    ticket moved on since the page showed it. An assignee select sends an id as text or NOBODY."""
    if field == "assignee_id" and isinstance(value, str):
        value = None if value == NOBODY else int(value) if value.isdigit() else value
    return tickets.update_ticket(
        actor,
        ticket_id=validate_ticket_id(ticket_id),
        patch=validate_patch({field: value}),
        expected_version=version,
    )


async def _current_past_state(token: str, seen: Hashable, revision: Hashable) -> bool:
    """Whether a tab is current at `revision` without opening its state: who may see what
    did not move, its bell reads as it was, and its page too, or a push sent what changed."""
    reads = get_shared_reads()
    if access_moved(seen, revision) or not await reads.unchanged(bell_tab(token), revision):
        return False
    return await reads.unchanged(token, revision) or await get_pushes().push(token, revision)


class LiveState(rx.State, mixin=True):
    """Mixed into the live page states, which implement `_reload`."""

    loaded: bool = False
    error: str = ""
    _seen_revision: Any = None
    _watch_armed: bool = False
    _watching: bool = False  # a load succeeded and started the watcher

    def _watch(self) -> rx.EventHandler:
        """What an on_load handler returns last: the one watcher this page load may start."""
        self._watch_armed = self._watching = True
        return type(self).watch_changes

    @abstractmethod
    async def _reload(self) -> rx.event.EventSpec | None:
        """Re-query what the page shows; each page state provides it (mypy refuses a live
        page, marked `@final`, without one). It may answer with an event (the login page,
        when the session ended)."""

    def _view(self, actor: Actor) -> View | None:
        """How a push recomputes what this page shows without opening its state (`push.py`):
        the reload's assignments from what the page was loaded with. None (the default):
        every push to this page is a whole reload."""
        return None

    def _note(self) -> None:
        """After a whole reload, under the tab's lock: what the tab shows now, so the next
        push can skip the state. Only for the viewer the cache of identities still holds."""
        secret = sessions.secret_from_cookies(self.router.headers.cookie)
        found, actor = sessions.cached(secret)
        view = self._view(actor) if found and actor is not None else None
        if view is not None and actor is not None and secret is not None:
            get_pushes().note(self, view, actor=actor, secret=secret)

    async def _load_and_watch(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """The end of every live page's on_load: note the revision, load, start the watcher.

        When the database is down `error` says why nothing loaded; `retry` starts the watcher
        once a load succeeds.
        """
        self._watching = False
        try:
            self._seen_revision = await current_revision()
        except ServiceError as error:
            self.error = describe(error)
            return None
        with at_revision(self._seen_revision):
            event = await self._reload_with_bell()
        if event is not None:
            return event
        self._note()
        return self._watch()

    async def _reload_with_bell(self) -> rx.event.EventSpec | None:
        """The page, then the header's bell (`SessionState._refresh_bell`)."""
        event = await self._reload()
        if event is None:
            await self._refresh_bell()  # every live page state is a SessionState
        return event

    @rx.event
    async def retry(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """The error callout's button: load again, and become live if the page was not yet."""
        if self._watching:
            return await self._reload()
        return await self._load_and_watch()

    @rx.event(background=True)
    async def watch_changes(self) -> AsyncIterator[rx.event.EventSpec]:
        """Keep this tab's page current until Reflex cancels the task.

        Like every handler it can be called by any client; unarmed calls return at once, and
        a tab's new watcher replaces its previous one, so a client cannot pile up watchers.
        """
        watcher = get_watcher()
        async with self:
            if not self._watch_armed:
                return
            self._watch_armed = False
            route = self.router.route_id
            session = self.router.session
            seen = self._seen_revision
            holder = self.viewer_id  # every live page state is a SessionState
        reads, pushes, token = get_shared_reads(), get_pushes(), session.client_token
        with ExitStack() as held:
            tab = get_tab_watchers().watching(token, session.session_id, holder)
            if not held.enter_context(tab):
                return  # the process keeps its limit of live pages: this one stays as loaded
            held.enter_context(watcher.subscription())
            held.callback(reads.forget, token)
            held.callback(reads.forget, bell_tab(token))
            held.callback(pushes.forget, token)
            while True:
                # Only this loop moves the revision a watched page shows, so it is kept here
                # and the state (in Redis, behind the tab's lock) is opened once per change,
                # and not at all when the change leaves the page's view as it was, or when
                # only the page changed and a push can send it past the state (`push.py`).
                revision = await watcher.wait_for_change(seen)
                async with watcher.reload_slots:
                    await pushes.after_events()
                    if await _current_past_state(token, seen, revision):
                        seen = revision
                        continue
                    async with self:
                        if self.router.route_id != route:
                            return
                        pushes.settle(token, self)
                        self._seen_revision = seen = revision
                        with at_revision(revision):
                            event = await self._reload_with_bell()
                        if event is None:
                            self._note()
                if event is not None:
                    yield event
                    return
