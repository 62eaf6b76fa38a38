"""Reads kept across changes of the desk while a cheap mark says they still hold.

A change anywhere wakes every open page, and each checks whether what it shows changed by
reading it again (`shared_reads.unchanged`). A ticket page read its ticket, a page of its
timeline and its timers (five queries) for a ticket that almost never changed; every tab read
its person's saved views and bell. Here a read is kept with the mark it was read under, and
given again, the same object, while the mark is the same; the watch loop then finds the page
unchanged at once. The marks: `revisions.ticket_marks` for the tickets (one query per change
for every kept ticket of an audience); the desk revision's `views` counter for the saved
views; its `notices` counter and the newest notification (one query per change for every
bell) for a bell.

The mark is read with the viewer's own rules of access, so a ticket they may no longer read
is read again (and refused) rather than given from here. A kept read is also read again after
KEEP_SECONDS, so what the mark cannot see (a person's new name, running timers' minutes, a
ticket's new title in a bell line) is never older than that. Reads run in worker threads, so
the store takes a lock.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

from ticket_app.services.revisions import Revision
from ticket_app.ui.live.shared_reads import revision_in_block

T = TypeVar("T")

KEEP_SECONDS = 60.0
MAX_KEPT = 4096
MAX_BATCH = 1000  # marks read in one query


def standing(
    key: Hashable, mark: Callable[[Revision], Hashable], query: Callable[[], T]
) -> Callable[[], T]:
    """`query` for a shared read (`shared_reads.read`), given back as it was read while
    `mark` of the desk's revision stands. The revision is the enclosing `at_revision`'s,
    taken when the read runs (a tab's own events have none: they always read)."""

    def read() -> T:
        revision = revision_in_block()
        if not isinstance(revision, Revision):
            return query()
        return get_kept_reads().read(key, lambda: mark(revision), query)

    return read


class KeptReads:
    """Results by key, each with the mark it was read under and when."""

    def __init__(self, max_kept: int = MAX_KEPT, keep_seconds: float = KEEP_SECONDS) -> None:
        self._kept: OrderedDict[Hashable, tuple[Hashable, Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_kept = max_kept
        self._keep_seconds = keep_seconds
        self.reads = 0  # reads that went past the mark (tests read it)
        self._once: dict[Hashable, tuple[Hashable, Any]] = {}
        self._once_lock = threading.Lock()

    def read(self, key: Hashable, mark: Callable[[], Hashable | None], query: Callable[[], T]) -> T:
        """`query()`, or what it gave before under the same mark (None: always read)."""
        now, seen = time.monotonic(), mark()
        with self._lock:
            kept = self._kept.get(key)
            if (
                seen is not None
                and kept is not None
                and kept[0] == seen
                and now - kept[2] < self._keep_seconds
            ):
                self._kept.move_to_end(key)
                return kept[1]
        result = query()  # read after the mark: a change between them reads again next time
        self.reads += 1
        with self._lock:
            self._kept[key] = (seen, result, now)
            self._kept.move_to_end(key)
            while len(self._kept) > self._max_kept:
                self._kept.popitem(last=False)
        return result

    def kept_ids(self, prefix: tuple[Hashable, ...], most: int = MAX_BATCH) -> list[Any]:
        """The last parts of the newest `most` kept keys that start with `prefix` (the ids of
        the tickets kept for one audience)."""
        size = len(prefix)
        with self._lock:
            found = [key[-1] for key in reversed(self._kept) if key[:size] == prefix]
        return found[:most]

    def once(self, name: Hashable, revision: Hashable, read: Callable[[], T]) -> T:
        """`read()` once per revision for every thread that asks: the part of many marks
        that is the same for all of them (the newest notification, for every bell)."""
        with self._once_lock:
            held = self._once.get(name)
            if held is None or held[0] != revision:
                held = (revision, read())
                self._once[name] = held
            return held[1]


@lru_cache(maxsize=1)
def get_kept_reads() -> KeptReads:
    """The process's kept reads."""
    return KeptReads()
