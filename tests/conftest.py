"""Shared fixtures: a migrated database per test session (SQLite by default, PostgreSQL when
TEST_DATABASE_URL names one), emptied before each test, and an API client over ASGI.

A PostgreSQL run never skips: if the server named by TEST_DATABASE_URL cannot be reached, the
session fails.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine, make_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
LIMIT = 0.5  # seconds: DB_STATEMENT_TIMEOUT_SECONDS under the `tight_limits` fixture


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: they are the slow ones, and Playwright's sync API keeps an
    event loop running in the main thread for as long as its session lasts, where the UI
    state tests' asyncio.run() could not start one."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def reset_caches() -> None:
    """Forget the settings and the engines, so the next use reads the environment again."""
    from ticket_app.config import get_settings
    from ticket_app.db import get_engine, get_health_engine

    get_settings.cache_clear()
    for cached in (get_engine, get_health_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this session; its URL is also put in DATABASE_URL."""
    data_dir = tmp_path_factory.mktemp("data")
    admin: Engine | None = None
    if POSTGRES_URL:
        base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg2")
        name = f"tickets_test_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{Path(data_dir) / 'tickets.db'}"
    os.environ.update(
        DATABASE_URL=url,
        DATA_DIR=str(data_dir),
        GEMINI_API_KEY="",
        SECRET_KEY="test-secret",
    )
    reset_caches()
    from ticket_app.migrate import upgrade

    upgrade(url)
    yield url
    reset_caches()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Engine:
    from ticket_app.db import get_engine

    return get_engine()


@pytest.fixture(autouse=True)
def empty_database(request: pytest.FixtureRequest) -> None:
    """Every database test starts from no tickets (and counters that agree)."""
    if "database_url" not in request.fixturenames and "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("TRUNCATE tickets, ticket_counts RESTART IDENTITY"))
        else:
            connection.execute(sa.text("DELETE FROM tickets"))
            connection.execute(sa.text("DELETE FROM ticket_counts"))


@pytest.fixture
def tight_limits(engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Short limits and a pool of one (plus one overflow), for this test only."""
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_SECONDS", str(LIMIT))
    monkeypatch.setenv("DB_POOL_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("DB_POOL_SIZE", "1")
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


@pytest.fixture
def locked_tickets(database_url: str, tight_limits: None) -> Iterator[Connection]:
    """Another session holds the tickets table: PostgreSQL readers and writers, or SQLite's
    one write lock (readers of a WAL database never wait)."""
    from ticket_app.db import create_db_engine

    other = create_db_engine(database_url)
    with other.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"))
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection
        connection.rollback()
    other.dispose()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The REST API over ASGI, as an API client sees it at the app's own address."""
    from ticket_app.api.app import create_api
    from ticket_app.config import get_settings

    with TestClient(
        create_api(), base_url=get_settings().app_url, raise_server_exceptions=False
    ) as test_client:
        yield test_client
