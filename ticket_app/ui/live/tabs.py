"""The live pages of this process: at most one watcher per tab, a share per person, at most a
configured number in all, and none left behind by a tab that has gone.

Reflex cancels a background event started by a page's on_load when the tab navigates away or
disconnects, but not one started by a client that sends `load` itself, which any websocket
client can do as often as it likes. So every watcher holds its place here under its tab's
token: a tab's new watcher replaces its previous one (a tab shows one page), no watcher
starts beyond the limit, and a sweep every poll interval cancels the watchers whose tab's
socket has closed. A person's tabs beyond their share (LIVE_WATCHERS_PER_USER) take the place
of that person's oldest live page, so nobody's tabs can use up the live pages of everyone else.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import reflex as rx

from ticket_app.config import get_settings
from ticket_app.ui.live.push import get_pushes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Watcher:
    sid: str  # the tab's Socket.IO session: the watcher lives while it is connected
    holder: int  # the signed-in person whose tab it is
    task: asyncio.Task[object]


class TabWatchers:
    """Which tab's watcher runs in which task, for one event loop (the backend has one)."""

    def __init__(
        self, limit: Callable[[], int], interval: Callable[[], float], share: Callable[[], int]
    ) -> None:
        self._limit = limit
        self._share = share
        self._interval = interval
        self._watchers: dict[str, _Watcher] = {}
        self._connected: Callable[[str], bool] = lambda _sid: True
        self._sweeper: asyncio.Task[None] | None = None
        self._full = False

    def __len__(self) -> int:
        return len(self._watchers)

    def track_connections(self, connected: Callable[[str], bool]) -> None:
        """Tell the sweep how to see that a tab's socket (by session id) is still open."""
        self._connected = connected

    @contextlib.contextmanager
    def watching(self, tab: str, sid: str, holder: int) -> Iterator[bool]:
        """Hold the running task as `tab`'s one watcher while the block runs.

        Cancels the tab's previous watcher, and `holder`'s oldest one when they already hold
        their share. Yields False, holding nothing, when the process already keeps its limit
        of live pages: that page stays as it loaded.
        """
        task = asyncio.current_task()
        assert task is not None
        if (previous := self._watchers.pop(tab, None)) is not None:
            previous.task.cancel()
        held = [key for key, watcher in self._watchers.items() if watcher.holder == holder]
        for key in held[: max(0, len(held) - self._share() + 1)]:  # oldest first
            self._watchers.pop(key).task.cancel()
        if len(self._watchers) >= self._limit():
            self._warn_full()
            yield False
            return
        self._full = False
        self._watchers[tab] = _Watcher(sid, holder, task)
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="tabs")
        try:
            yield True
        finally:
            if (held := self._watchers.get(tab)) is not None and held.task is task:
                del self._watchers[tab]

    def _warn_full(self) -> None:
        """One warning each time the limit is reached, not one per refused page."""
        if not self._full:
            self._full = True
            logger.warning(
                "live updates: the limit of %d live pages in this process is reached; "
                "further pages load but do not update live (LIVE_WATCHERS_MAX)",
                self._limit(),
            )

    async def _sweep(self) -> None:
        """Cancel the watchers of closed tabs, every interval while any watcher runs."""
        while self._watchers:
            await asyncio.sleep(self._interval())
            for watcher in list(self._watchers.values()):
                if not self._connected(watcher.sid):
                    watcher.task.cancel()


@lru_cache(maxsize=1)
def get_tab_watchers() -> TabWatchers:
    """The process-wide registry of live pages."""
    return TabWatchers(
        lambda: get_settings().live_watchers_max,
        lambda: get_settings().live_poll_seconds,
        lambda: get_settings().live_watchers_per_user,
    )


@contextlib.asynccontextmanager
async def track_connections(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: let the sweep see which sockets of this process are still open, and
    pushes (`push.py`) reach them."""
    namespace = app.event_namespace
    if namespace is not None:
        get_tab_watchers().track_connections(lambda sid: sid in namespace.sid_to_token)
        get_pushes().attach(namespace)
    yield
