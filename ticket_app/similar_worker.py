"""The similar-tickets step as a Reflex lifespan task: in each worker, at start and then every
SIMILAR_INDEX_SECONDS, `services.similar_index.index_pending` writes the terms of the tickets
created since (a create only marks its ticket). The sweep at start is what picks up tickets
whose process stopped before their step ran. Workers share the work safely: PostgreSQL's
claim skips marks another process holds, and SQLite has one writer at a time."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from ticket_app.config import get_settings
from ticket_app.services import similar_index
from ticket_app.services.errors import ServiceError

logger = logging.getLogger(__name__)


def step() -> None:
    try:
        similar_index.index_pending()
    except ServiceError as error:  # the database away for a moment: try again next round
        logger.warning("similar-tickets index: %s", error)


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: index marked tickets now and every SIMILAR_INDEX_SECONDS."""
    every = get_settings().similar_index_seconds

    async def loop() -> None:
        while True:
            await asyncio.to_thread(step)
            await asyncio.sleep(every)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
