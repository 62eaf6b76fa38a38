"""One worker leads: the background jobs run in exactly one of the backend's worker processes.

Production starts several workers (scripts/container/serve.py: GRANIAN_WORKERS), and each runs
the app's lifespan tasks. Two mail listeners cannot bind one port, and two IMAP pollers, outbox
senders or service-level sweeps would each do the whole work again. So those four (JOBS) are
one lifespan task here: each worker tries to take a lock that only one process can hold, and
the one that holds it runs them; the others try again every RETRY_SECONDS, so when the leader
dies (its lock goes with it) another takes over within seconds.

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own, kept
  open while leading (the lock is released when that session ends: the process died or the
  connection was lost). The leader checks the connection every RETRY_SECONDS; when it is gone,
  it stops the jobs before anyone else can have started them again, then tries again like
  the others.
- SQLite: an exclusive `flock` on a file next to the database (`<database>.leader`), which the
  kernel releases when the process ends. An in-memory database has one process: it leads.
"""

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from ticket_app.background import running
from ticket_app.config import get_settings
from ticket_app.db import get_engine

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
LOCK_KEY = 0x5E5C_DE5C  # the desk's advisory lock key (any number other apps do not use)

Job = Callable[[], contextlib.AbstractAsyncContextManager[None]]


class Lock(Protocol):
    def held(self) -> bool: ...
    def release(self) -> None: ...


class _AdvisoryLock:
    """A PostgreSQL session advisory lock on a connection taken out of the pool for it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def held(self) -> bool:
        try:
            with contextlib.closing(self.connection.cursor()) as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # the session is gone, and the lock with it
            return False
        return True

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.close()


class _FileLock:
    """An exclusive flock on a file; the kernel drops it with the process."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def held(self) -> bool:
        return True

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.descriptor)


class _NoLock:
    """An in-memory SQLite database: one process, which leads."""

    def held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def _try_postgres() -> Lock | None:
    pooled = get_engine().raw_connection()
    connection: Any = pooled.driver_connection
    pooled.detach()  # its own session for as long as the lock is held, not the pool's
    try:
        connection.autocommit = True  # never idle in a transaction
        with contextlib.closing(connection.cursor()) as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            row = cursor.fetchone()
            taken = bool(row and row[0])
    except Exception:
        connection.close()
        raise
    if not taken:
        connection.close()
        return None
    return _AdvisoryLock(connection)


def lock_path(database_url: str) -> Path | None:
    """The SQLite lock file of `database_url`; None for an in-memory database."""
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + ".leader")


def _try_sqlite(url: str) -> Lock | None:
    path = lock_path(url)
    if path is None:
        return _NoLock()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return _FileLock(descriptor)


def try_lead() -> Lock | None:
    """The lock when this process now leads; None when another does. Raises when the
    database cannot be reached (the caller tries again)."""
    url = get_settings().database_url
    return _try_sqlite(url) if url.startswith("sqlite") else _try_postgres()


async def _lead(jobs: tuple[Job, ...]) -> None:
    """Take the lead whenever it is free, and run the jobs while holding it."""
    announced = False
    while True:
        try:
            lock = await asyncio.to_thread(try_lead)
        except Exception as error:
            logger.warning("leader: cannot try the lock (%s: %s)", type(error).__name__, error)
            lock = None
        if lock is None:
            if not announced:
                logger.info("worker %s: another worker runs the background jobs", os.getpid())
                announced = True
            await asyncio.sleep(RETRY_SECONDS)
            continue
        logger.info("worker %s leads: it runs the background jobs", os.getpid())
        try:
            async with contextlib.AsyncExitStack() as stack:
                for job in jobs:
                    await stack.enter_async_context(job())
                while await asyncio.to_thread(lock.held):
                    await asyncio.sleep(RETRY_SECONDS)
            logger.warning("worker %s lost the lead (its lock's session ended)", os.getpid())
        except Exception:  # a job that cannot start (its port taken...): the lead goes round
            logger.exception("worker %s: the background jobs stopped", os.getpid())
        finally:
            lock.release()
        announced = False
        await asyncio.sleep(RETRY_SECONDS)


def lifespan_of(*jobs: Job) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
    """A lifespan task that runs `jobs` (lifespan context managers) in the leading worker."""

    @contextlib.asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        async with running(_lead(jobs)):
            yield

    return lifespan
