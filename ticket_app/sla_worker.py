"""The service-level sweep as a Reflex lifespan task: every SLA_SWEEP_SECONDS, in the one
worker that leads (`ticket_app.leader`), `services.sla.sweep_all` tells what has come due.
Sweeps that overlap anyway (several instances, or `manage sla-sweep` from a timer) share the
work safely: the sweep claims tickets with SKIP LOCKED on PostgreSQL and SQLite has one writer
at a time, and each warning's bit is set in the same transaction as its notice, so none is
told twice."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from ticket_app.config import get_settings
from ticket_app.services import sla
from ticket_app.services.errors import ServiceError

logger = logging.getLogger(__name__)


def sweep_once() -> None:
    try:
        sla.sweep_all()
    except ServiceError as error:  # the database away for a moment: try again next round
        logger.warning("service-level sweep: %s", error)


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: sweep every SLA_SWEEP_SECONDS (0: not here; use the command)."""
    every = get_settings().sla_sweep_seconds
    if every <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            await asyncio.to_thread(sweep_once)
            await asyncio.sleep(every)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
