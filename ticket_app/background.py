"""How a worker runs work beside serving requests, once: a task that lives as long as a Reflex
lifespan block and is cancelled cleanly at its end (`running`), and a step repeated every few
seconds in a worker thread that a database outage only delays (`periodically`). The SLA sweep,
the similar-tickets step and the leader's jobs are built from these."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from ticket_app.services.errors import ServiceError

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run `work` as a task while the block runs; cancel it and wait for it at the end."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def periodically(
    step: Callable[[], object], seconds: float, name: str
) -> contextlib.AbstractAsyncContextManager[None]:
    """`step()` in a worker thread now and then every `seconds` while the block runs; a
    `ServiceError` (the database away for a moment) is logged as `name` and retried."""

    def once() -> None:
        try:
            step()
        except ServiceError as error:
            logger.warning("%s: %s", name, error)

    async def loop() -> None:
        while True:
            await asyncio.to_thread(once)
            await asyncio.sleep(seconds)

    return running(loop())


@contextlib.asynccontextmanager
async def in_thread(
    work: Callable[[Callable[[], bool]], None], grace: float
) -> AsyncIterator[None]:
    """Run `work(stopping)` in a worker thread while the block runs (a loop that blocks on
    sockets, so it cannot be cancelled); at the end `stopping()` turns true and the thread has
    `grace` seconds to finish its round."""
    stopping = asyncio.Event()
    task = asyncio.create_task(asyncio.to_thread(work, stopping.is_set))
    try:
        yield
    finally:
        stopping.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, grace)
