"""An acknowledged ticket is on disk: SQLite syncs every commit (FULL) unless told otherwise.

With `synchronous=NORMAL` a WAL database is consistent after a power cut but may have lost
its last commits: tickets whose writers already got their 201.
"""

import pytest

from tests.conftest import reset_caches
from ticket_app.db import get_engine

FULL, NORMAL = 2, 1  # PRAGMA synchronous values


def synchronous() -> int:
    with get_engine().connect() as connection:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar_one()


@pytest.fixture
def sqlite(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's durability is the server's (fsync, synchronous_commit)")


def test_every_commit_is_synced_by_default(sqlite):
    assert synchronous() == FULL


def test_sqlite_synchronous_trades_durability_for_speed(sqlite, monkeypatch):
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "normal")
    reset_caches()
    try:
        assert synchronous() == NORMAL
    finally:
        monkeypatch.undo()
        reset_caches()
