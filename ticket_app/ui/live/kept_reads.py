"""Reads kept across changes of the desk while a cheap mark says they still hold.

A change anywhere wakes every open ticket page, and each checks whether its ticket changed by
reading it again (`shared_reads.unchanged`): the ticket, a page of its timeline and its
timers, five queries, for a page that almost never changed. Here a read is kept with the mark
it was read under (`revisions.ticket_mark`: one small query), and given again, the same
object, while the mark is the same; the watch loop then finds the page unchanged at once.

The mark is read with the viewer's own rules of access, so a ticket they may no longer read
is read again (and refused) rather than given from here. A kept read is also read again after
KEEP_SECONDS, so what the mark cannot see (a person's new name, running timers' minutes) is
never older than that. Reads run in worker threads, so the store takes a lock.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

KEEP_SECONDS = 30.0
MAX_KEPT = 4096


class KeptReads:
    """Results by key, each with the mark it was read under and when."""

    def __init__(self, max_kept: int = MAX_KEPT, keep_seconds: float = KEEP_SECONDS) -> None:
        self._kept: OrderedDict[Hashable, tuple[Hashable, Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_kept = max_kept
        self._keep_seconds = keep_seconds
        self.reads = 0  # reads that went past the mark (tests read it)

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


@lru_cache(maxsize=1)
def get_kept_reads() -> KeptReads:
    """The process's kept reads."""
    return KeptReads()
