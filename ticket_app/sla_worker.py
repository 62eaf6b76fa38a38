"""The service-level sweep as a Reflex lifespan task: every SLA_SWEEP_SECONDS, in the one
worker that leads (`ticket_app.leader`), `services.sla.sweep_all` tells what has come due.
Sweeps that overlap anyway (several instances, or `manage sla-sweep` from a timer) share the
work safely: the sweep claims tickets with SKIP LOCKED on PostgreSQL and SQLite has one writer
at a time, and each warning's bit is set in the same transaction as its notice, so none is
told twice."""

import contextlib
from collections.abc import AsyncIterator

from ticket_app.background import periodically
from ticket_app.config import get_settings
from ticket_app.services import sla


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: sweep every SLA_SWEEP_SECONDS (0: not here; use the command)."""
    every = get_settings().sla_sweep_seconds
    if every <= 0:
        yield
        return
    async with periodically(sla.sweep_all, every, "service-level sweep"):
        yield
