"""The similar-tickets step as a Reflex lifespan task: in each worker, at start and then every
SIMILAR_INDEX_SECONDS, `services.similar_index.index_pending` writes the terms of the tickets
created since (a create only marks its ticket). The sweep at start is what picks up tickets
whose process stopped before their step ran. Workers share the work safely: PostgreSQL's
claim skips marks another process holds, and SQLite has one writer at a time."""

import contextlib
from collections.abc import AsyncIterator

from ticket_app.background import periodically
from ticket_app.config import get_settings
from ticket_app.services import similar_index


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: index marked tickets now and every SIMILAR_INDEX_SECONDS."""
    seconds = get_settings().similar_index_seconds
    async with periodically(similar_index.index_pending, seconds, "similar-tickets index"):
        yield
