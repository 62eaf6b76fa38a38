"""`classify_async`: classification on the classifier's own small thread pool.

A Gemini call holds its thread for up to the timeout. On the event loop's default executor (the
UI's `asyncio.to_thread` database calls) or on anyio's worker threads (the API's
`run_in_threadpool`), a burst of suggestions would take every thread and the database calls of
every other tab would wait behind them. Here classifications get their own threads instead:
as many as Gemini calls may be in flight (`GEMINI_MAX_CONCURRENT`) plus `SPARE_WORKERS` for the
offline answers, which then never queue behind slow calls. Work beyond that waits in this pool's
queue, not in anyone else's.
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from ticket_app.classifier.pipeline import classify
from ticket_app.classifier.types import Suggestion
from ticket_app.config import get_settings

SPARE_WORKERS = 2
THREAD_PREFIX = "classifier"

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _executor() -> ThreadPoolExecutor:
    """The pool for the current settings; resized (a new pool) when the Gemini cap changed."""
    global _pool
    workers = get_settings().gemini_max_concurrent + SPARE_WORKERS
    with _lock:
        if _pool is None or _pool[0] != workers:
            if _pool is not None:
                _pool[1].shutdown(wait=False)
            _pool = (workers, ThreadPoolExecutor(workers, thread_name_prefix=THREAD_PREFIX))
        return _pool[1]


async def classify_async(text: str) -> Suggestion:
    """`classify(text)` without holding the event loop or its default executor.

    Same answers and the same ValueError for a non-string as `classify`.
    """
    return await asyncio.get_running_loop().run_in_executor(_executor(), classify, text)
