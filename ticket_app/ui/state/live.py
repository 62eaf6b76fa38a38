"""Live pages: a mixin that re-queries a page only when the process-wide revision moves.

A page's on_load handler loads its data and then starts `watch_changes`. That background
event waits on the shared `RevisionWatcher` (no polling of its own) and reloads the page when
another agent, the API or this agent changed a ticket. Each tab has at most one watcher
(`TabWatchers`), so a client that sends `load` again and again replaces its watcher instead of
adding one, and the process keeps at most LIVE_WATCHERS_MAX. Reflex cancels the watcher when
its on_load chain is superseded: the tab navigates to another page, or disconnects; the
registry's sweep cancels one that a client started outside a page load once its socket closes.
The route check is a last guard so a watcher never refreshes a page the tab has left.
"""

import asyncio
from contextlib import ExitStack

import reflex as rx

from ticket_app.services import tickets
from ticket_app.services.errors import ServiceError
from ticket_app.ui.live import get_watcher
from ticket_app.ui.state.messages import describe
from ticket_app.ui.watchers import get_tab_watchers


async def current_revision() -> int:
    """The revision a freshly loaded page shows: the poller's if it runs, else the database's.

    Read before the page's own query, so a change in between is caught by the next wake-up.
    """
    latest = get_watcher().latest
    if latest is not None:
        return latest
    return await asyncio.to_thread(tickets.revision)


class LiveState(rx.State, mixin=True):
    """Mixed into the list, detail and dashboard states, which implement `_reload`."""

    _seen_revision: int = -1
    _watch_armed: bool = False

    def _watch(self) -> rx.EventHandler:
        """What an on_load handler returns last: the one watcher this page load may start."""
        self._watch_armed = True
        return type(self).watch_changes

    async def _reload(self) -> None:
        """Re-query what the page shows; each page state provides it."""
        raise NotImplementedError

    async def _load_and_watch(self) -> rx.EventHandler | None:
        """The end of every live page's on_load: note the revision, load, start the watcher.

        The page state's `error` var shows why nothing loaded when the database is down.
        """
        try:
            self._seen_revision = await current_revision()
        except ServiceError as error:
            self.error = describe(error)
            return None
        await self._reload()
        return self._watch()

    @rx.event(background=True)
    async def watch_changes(self) -> None:
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
        with ExitStack() as held:
            tab = get_tab_watchers().watching(session.client_token, session.session_id)
            if not held.enter_context(tab):
                return  # the process keeps its limit of live pages: this one stays as loaded
            held.enter_context(watcher.subscription())
            while True:
                async with self:
                    seen = self._seen_revision
                revision = await watcher.wait_for_change(seen)
                async with self:
                    if self.router.route_id != route:
                        return
                    self._seen_revision = revision
                    await self._reload()
