"""One query per view per change, shared by every tab of this process that shows that view.

When the desk's revision moves, every live page of the process wakes at once and reloads. A
hundred agents with the same list open would each run the same page query at the same
revision; here the first tab runs it and the others await its result. Sharing happens only
inside `at_revision` (the watch loop and the page load, which know the revision they show);
a tab's own handlers (a filter change, paging) always read afresh.

The key names everything the result depends on, starting with `audience`: staff share one
view of the desk, and each requester has an audience of their own, so a requester never gets
a result read for anyone else. Results are shared as they are: callers must not mutate them.

A tab's reload also notes which views it read and what it got (`read(..., tab=)`). When the
next change leaves those views as they were (a ticket page whose ticket nobody touched), the watch
loop learns it from the shared query alone (`unchanged`) and skips the tab: no state to load
from Redis, nothing to send. Any event of the tab's own forgets the note (`forget`, from the
websocket gate in `ui/gate.py`), so a page its handlers changed is always reloaded whole. A
page's reload that passes `tab` must read everything the page shows that way (anything else it
reads would go stale when the tab is skipped); a page that does not pass it is always reloaded
whole.
"""

import asyncio
import contextlib
import contextvars
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from functools import lru_cache, partial
from typing import Any, TypeVar

from ticket_app.services.access import Actor, Permission

T = TypeVar("T")

MAX_VIEWS = 512  # distinct views kept; each holds one result, for the latest revision only

_revision: ContextVar[Hashable | None] = ContextVar("shared_reads_revision", default=None)


def audience(actor: Actor) -> Hashable:
    """Who sees the same tickets: all staff alike; every requester only their own."""
    if actor.can(Permission.READ_ALL):
        return ("staff",)
    return ("requester", actor.id)


@contextlib.contextmanager
def at_revision(revision: Hashable | None) -> Iterator[None]:
    """Reads in this block may share results read at `revision` (None: no sharing)."""
    token = _revision.set(revision)
    try:
        yield
    finally:
        _revision.reset(token)


LIVE_READ_THREADS = 4


@lru_cache(maxsize=1)
def _live_threads() -> ThreadPoolExecutor:
    """The worker threads of the reads at a revision (the live pages' reloads and checks),
    apart from the event loop's default ones, which a tab's own handlers use: after a change
    hundreds of pages read at once, and an agent's click must not queue behind them."""
    return ThreadPoolExecutor(LIVE_READ_THREADS, thread_name_prefix="live-read")


async def in_live_thread(query: Callable[[], T]) -> T:
    """`query()` in a live-read thread, seeing this context (`revision_in_block`)."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        _live_threads(), partial(context.run, query)
    )


def revision_in_block() -> Hashable | None:
    """The revision of the enclosing `at_revision` block (None outside one); worker threads
    started in it see it too."""
    return _revision.get()


class SharedReads:
    """In-flight and finished reads of one event loop, keyed by view, at one revision each."""

    def __init__(self, max_views: int = MAX_VIEWS) -> None:
        self._max_views = max_views
        self._reads: OrderedDict[Hashable, tuple[Hashable, asyncio.Future[Any]]] = OrderedDict()
        self.queries = 0  # reads that went to the database
        self.shared = 0  # reads answered by another tab's query
        self._shown: dict[str, dict[Hashable, tuple[Callable[[], Any], Any]]] = {}
        self._derived: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()

    async def read(self, key: Hashable, query: Callable[[], T], tab: str | None = None) -> T:
        """`query()` in a worker thread, or the result another tab got for `key` at the
        revision of the enclosing `at_revision` block; noted as what `tab` now shows."""
        result = await self._read(key, query)
        if tab is not None:
            self._shown.setdefault(tab, {})[key] = (query, result)
        return result

    async def unchanged(self, tab: str, revision: Hashable) -> bool:
        """Whether every view `tab` read since its last event still reads the same at
        `revision`."""
        noted = self._shown.get(tab)
        if not noted:
            return False
        with at_revision(revision):
            for key, (query, shown) in list(noted.items()):
                fresh = await self._read(key, query)
                if fresh is not shown and fresh != shown:
                    return False
        return True

    def derive(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, computed from shared reads, once for every tab at the revision of the
        enclosing `at_revision` block: the tabs of a view are given the same objects, which
        a push then serializes once (`push.py`)."""
        revision = _revision.get()
        if revision is None:
            return make()
        held = self._derived.get(key)
        if held is not None and held[0] == revision:
            self._derived.move_to_end(key)
            return held[1]
        value = make()
        self._derived[key] = (revision, value)
        while len(self._derived) > self._max_views:
            self._derived.popitem(last=False)
        return value

    def forget(self, tab: str) -> None:
        """The tab did something of its own (or left): reload it whole next time."""
        self._shown.pop(tab, None)

    async def _read(self, key: Hashable, query: Callable[[], T]) -> T:
        revision = _revision.get()
        if revision is None:
            self.queries += 1
            return await asyncio.to_thread(query)
        held = self._reads.get(key)
        if held is not None and held[0] == revision:
            self._reads.move_to_end(key)
            self.shared += 1
            return await asyncio.shield(held[1])
        self.queries += 1
        task = asyncio.ensure_future(in_live_thread(query))
        self._reads[key] = (revision, task)
        self._reads.move_to_end(key)
        while len(self._reads) > self._max_views:
            self._reads.popitem(last=False)
        task.add_done_callback(lambda done: self._forget_failed(key, done))
        return await asyncio.shield(task)

    def _forget_failed(self, key: Hashable, done: asyncio.Future[Any]) -> None:
        """A failed read is not shared: the next tab asks the database again."""
        if done.cancelled() or done.exception() is not None:
            held = self._reads.get(key)
            if held is not None and held[1] is done:
                del self._reads[key]


@lru_cache(maxsize=1)
def get_shared_reads() -> SharedReads:
    """The process's shared reads (the backend has one event loop)."""
    return SharedReads()
