"""One revision poller per backend process, shared by every open list, dashboard and detail view.

The poller reads `revisions.current()` (a cheap sum over the counter rows, and the access
counter) every `live_poll_seconds` while at least one page is watching, and wakes the waiting
pages only when it moved. N open browsers therefore cost one small query per interval plus one
page query per real change, instead of N queries per interval. With no page open it stops
polling. When the access counter moved (a sign-out, a deactivation, a role change anywhere),
this process forgets its cached identities, so the woken pages re-check who is signed in
(and while it reads that counter, sessions are kept in the cache longer: `credentials.py`).
A failed read (the database down or busy, or anything else) never stops it: it is logged once
per outage and retried after a wait that doubles up to MAX_BACKOFF_SECONDS, and a write made
through this process (`nudge`) polls at once, at most once an interval: under a steady stream
of writes the pages wake once an interval, not once a write.
"""

import asyncio
import logging
import os
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache

from ticket_app.config import get_settings
from ticket_app.services import revisions
from ticket_app.services.credentials import forget_all, watch_access
from ticket_app.services.errors import ServiceError
from ticket_app.ui.live.push import get_pushes

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
RELOADS_AT_ONCE = 4


class RevisionWatcher:
    """Polls a revision number and lets any number of coroutines wait for it to change.

    Bound to the event loop it first runs on; the Reflex backend has exactly one.
    """

    def __init__(
        self, read_revision: Callable[[], Hashable], interval: Callable[[], float]
    ) -> None:
        self._read_revision = read_revision
        self._interval = interval
        self.latest: Hashable | None = None
        self._writes = 0  # this process's writes so far (nudges)
        self._writes_polled = 0  # of those, how many the latest revision was read after
        self._subscribers = 0
        self._reported = 0
        self._failures = 0
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._next_nudge_at = 0.0  # the event loop's time before which a nudge waits
        self.reload_slots = asyncio.Semaphore(RELOADS_AT_ONCE)
        """Held by a woken page while it reloads. A change wakes every page at once;
        unbounded, hundreds of reloads each took their tab's state lock and then queued for
        the event loop and the worker threads, so locks were held for seconds (and expired
        at a thousand tabs) and an agent's own click waited behind all of them. Bounded, the
        others wait for a slot holding nothing, and a click goes first."""

    @property
    def fresh(self) -> Hashable | None:
        """The latest revision, unless this process wrote since it was read (then None).

        A page loaded right after a write here must not take the revision of before: results
        shared under it (shared_reads.py) would be read again as they were before the write.
        """
        return self.latest if self._writes_polled == self._writes else None

    @property
    def subscribers(self) -> int:
        return self._subscribers

    @contextmanager
    def subscription(self) -> Iterator[None]:
        """Count a watching page while the block runs; the poller runs while anyone watches."""
        self._subscribers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll(), name="revisions")
        try:
            yield
        finally:
            self._subscribers -= 1

    async def wait_for_change(self, seen: Hashable) -> Hashable:
        """Return the latest revision as soon as it differs from `seen` (the one a page shows)."""
        while self.latest is None or self.latest == seen:
            await self._changed.wait()
        return self.latest

    def nudge(self) -> None:
        """Poll now instead of at the end of the interval: this process just wrote a change."""
        self._writes += 1
        self._wake.set()

    def _report(self) -> None:
        """A log line whenever the number of watching pages changed, at most one per poll:
        how an operator (and a test) sees how many live pages this process carries, and how
        many of its pushes went past the tabs' states (`push.py`)."""
        if self._subscribers != self._reported:
            self._reported = self._subscribers
            pushes = get_pushes()
            logger.info(
                "live updates: %d pages watching in process %d "
                "(pushes so far: %d past the tab's state, %d whole reloads)",
                self._reported,
                os.getpid(),
                pushes.sent,
                pushes.whole,
            )

    def _failed(self, error: Exception) -> None:
        """Log the first failed read of an outage; the later ones only lengthen the wait."""
        self._failures += 1
        if self._failures > 1:
            return
        if isinstance(error, ServiceError):
            logger.warning("live updates paused: cannot read the revision: %s", error)
        else:
            logger.exception("live updates paused: reading the revision failed")

    def _succeeded(self) -> None:
        if self._failures:
            logger.info("live updates resumed after %d failed reads", self._failures)
        self._failures = 0

    def _pause(self) -> float:
        """The interval, doubled for every failed read in a row up to MAX_BACKOFF_SECONDS."""
        interval = self._interval()
        if not self._failures:
            return interval
        return max(interval, min(interval * 2**self._failures, MAX_BACKOFF_SECONDS))

    async def _wait_for_next_poll(self) -> None:
        """Until the interval ends, or a nudge, but at most one nudged poll per interval:
        every poll that sees a change wakes every page, so a busy desk (writes all the time)
        wakes them once an interval, and a quiet one still shows a write at once."""
        loop = asyncio.get_running_loop()
        pause = self._pause()
        deadline = loop.time() + pause
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), pause)
            now = loop.time()
            if now < self._next_nudge_at:
                await asyncio.sleep(min(deadline, self._next_nudge_at) - now)
            self._next_nudge_at = loop.time() + self._interval()

    async def _poll(self) -> None:
        """Poll while anyone watches. No error ends it: a page must never freeze for good."""
        try:
            while self._subscribers > 0:
                self._report()
                self._wake.clear()
                writes = self._writes
                try:
                    revision = await asyncio.to_thread(self._read_revision)
                except Exception as error:  # whatever it is: logged, then retried
                    watch_access(False)
                    self._failed(error)
                else:
                    watch_access(True)
                    self._succeeded()
                    self._writes_polled = writes
                    if revision != self.latest:
                        if access_moved(self.latest, revision):
                            forget_all()
                        self.latest = revision
                        self._changed.set()
                        self._changed = asyncio.Event()
                await self._wait_for_next_poll()
        finally:
            # A stopped poller's number goes stale; the next subscriber must not trust it,
            # nor may identities kept longer because it watched the access counter.
            watch_access(False)
            self.latest = None
            self._report()


def access_moved(before: Hashable | None, after: Hashable) -> bool:
    return (
        isinstance(before, revisions.Revision)
        and isinstance(after, revisions.Revision)
        and before.access != after.access
    )


@lru_cache(maxsize=1)
def get_watcher() -> RevisionWatcher:
    """The process-wide watcher of the desk's revision, created on first use."""
    return RevisionWatcher(revisions.current, lambda: get_settings().live_poll_seconds)
