"""The database engines and their time limits: the only module that knows how to connect.

The app's engine bounds every wait: a statement runs at most DB_STATEMENT_TIMEOUT_SECONDS
(PostgreSQL's statement_timeout; on SQLite a progress handler interrupts it, and a write
waits at most as long for the file lock) and a request waits at most DB_POOL_TIMEOUT_SECONDS
for a free connection, so a few slow queries cannot hold a worker for long; the transaction
module turns either into a 503. The health check has an engine of its own (one connection,
short limits), so a busy pool cannot make a working app look dead. Migrations get no time
limit: building an index over a million tickets takes longer than any request may.

SQLite gets WAL mode so the API, the UI and the live poller can share the file, and
`synchronous=FULL` unless SQLITE_SYNCHRONOUS trades it: a ticket acknowledged to its writer
is on disk and survives a power cut (NORMAL may lose the last commits). Its transactions are
explicit: pysqlite would otherwise begin one only at the first write, after the reads a change
is based on; a transaction that will write asks for the write lock at BEGIN
(WRITE_LOCK_OPTION), so no other writer slips in between its reads and its writes. PostgreSQL gets
pre-ping so a restarted server is survived. Every engine hides bound parameters from its
error messages: those are what customers wrote, and errors get logged.
"""

import math
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from ticket_app.config import get_settings

WRITE_LOCK_OPTION = "sqlite_write_lock"
"""Execution option: this transaction will write, so SQLite takes the write lock at BEGIN."""
HEALTH_TIMEOUT_SECONDS = 2
UNLIMITED_BUSY_MS = 10_000  # without a statement limit (migrations): wait this long for a lock
PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


class _Deadline:
    """When the running SQLite statement must stop; SQLite asks through its progress handler."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = math.inf

    def start(self) -> None:
        self.at = time.monotonic() + self.seconds

    def clear(self) -> None:
        self.at = math.inf

    def passed(self) -> bool:
        return time.monotonic() > self.at


def _limit_sqlite_statements(engine: Engine, seconds: float) -> None:
    """Interrupt a statement (its fetching included) that runs past `seconds`.

    SQLite has no statement timeout. The deadline starts with each statement and is cleared
    before COMMIT and ROLLBACK, which must never be interrupted; an interrupted statement
    fails with "interrupted" and its transaction is rolled back.
    """

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        record.info["deadline"] = deadline = _Deadline(seconds)
        dbapi_connection.set_progress_handler(deadline.passed, PROGRESS_STEPS)

    def on_statement(connection: Connection, *_args: Any) -> None:
        connection.info["deadline"].start()

    def on_transaction_end(connection: Connection) -> None:
        connection.info["deadline"].clear()

    def on_pool_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        record.info["deadline"].clear()

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    sa.event.listen(engine, "commit", on_transaction_end)
    sa.event.listen(engine, "rollback", on_transaction_end)
    sa.event.listen(engine, "reset", on_pool_reset)


def _sqlite_engine(url: str, statement_timeout: float | None, pool: dict[str, Any]) -> Engine:
    _prepare_sqlite_file(url)
    busy_ms = UNLIMITED_BUSY_MS if statement_timeout is None else int(statement_timeout * 1000)
    synchronous = get_settings().sqlite_synchronous
    connect_args = {"check_same_thread": False, "timeout": busy_ms / 1000}
    engine = sa.create_engine(url, connect_args=connect_args, hide_parameters=True, **pool)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours to send (on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_LOCK_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "begin", on_begin)
    if statement_timeout is not None:
        _limit_sqlite_statements(engine, statement_timeout)
    return engine


def _postgres_engine(url: str, statement_timeout: float | None, pool: dict[str, Any]) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 5, "application_name": "support-desk"}
    if statement_timeout is not None:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
        hide_parameters=True,
        **pool,
    )


def create_db_engine(
    url: str,
    *,
    statement_timeout: float | None = None,
    pool_size: int = 5,
    pool_timeout: float = 30.0,
) -> Engine:
    """An engine for `url`, tuned for the dialect; also used by migrations and tests.

    `statement_timeout` (seconds) bounds every statement, None leaves them unbounded;
    `pool_size` connections are kept, as many again opened under load, and a request waits
    at most `pool_timeout` seconds for one.
    """
    pool = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": pool_timeout}
    if url.startswith("sqlite"):
        return _sqlite_engine(url, statement_timeout, pool)
    return _postgres_engine(url, statement_timeout, pool)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine for the configured database, with the configured limits."""
    settings = get_settings()
    return create_db_engine(
        settings.database_url,
        statement_timeout=settings.db_statement_timeout_seconds,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


@lru_cache(maxsize=1)
def get_health_engine() -> Engine:
    """The health check's own engine: one connection, and answers within seconds or fails."""
    return create_db_engine(
        get_settings().database_url,
        statement_timeout=HEALTH_TIMEOUT_SECONDS,
        pool_size=1,
        pool_timeout=HEALTH_TIMEOUT_SECONDS,
    )
