"""Shared fixtures: a migrated database per test session (SQLite by default, PostgreSQL when
TEST_DATABASE_URL names one), emptied before each test; users of each role with API tokens;
and API clients over ASGI acting as them.

A PostgreSQL run never skips: if the server named by TEST_DATABASE_URL cannot be reached, the
session fails.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine, make_url

from tests.support.passwords import PASSWORD

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


APP_TABLES = (  # in an order that deletes children before parents
    "reply_drafts",
    "draft_totals",
    "ticket_summaries",
    "canned_replies",
    "attachments",
    "attachment_chunks",
    "attachment_blobs",
    "inbound_mails",
    "mail_outbox",
    "notifications",
    "notification_preferences",
    "mail_message_ids",
    "signin_links",
    "ticket_history",
    "ticket_comments",
    "ticket_participants",
    "similar_pending",
    "similar_terms",
    "tickets",
    "sla_terms",
    "sla_outcomes",
    "sla_policies",
    "sla_calendars",
    "ticket_counts",
    "assignee_counts",
    "api_tokens",
    "user_sessions",
    "sign_in_challenges",
    "recovery_codes",
    "two_factor",
    "user_identities",
    "security_events",
    "setup_links",
    "saved_views",
    "users",
)


@pytest.fixture(autouse=True)
def empty_database(request: pytest.FixtureRequest) -> None:
    """Every database test starts with no tickets and no users (and counters that agree)."""
    if "database_url" not in request.fixturenames and "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join((*APP_TABLES, "tickets_search"))  # its text, beside the tickets
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY"))
        else:
            for table in APP_TABLES:
                connection.execute(sa.text(f"DELETE FROM {table}"))
        connection.execute(sa.text("UPDATE desk_settings SET staff_two_factor_required = false"))
    _forget_process_caches()


def _forget_process_caches() -> None:
    from ticket_app.classifier import reset_state
    from ticket_app.services import credentials, throttle
    from ticket_app.ui.live.kept_reads import get_kept_reads
    from ticket_app.ui.live.push import get_pushes
    from ticket_app.ui.live.shared_reads import get_shared_reads

    credentials.forget_all()
    throttle.limiter.cache_clear()
    get_shared_reads.cache_clear()  # its results are keyed by revisions the emptying resets
    get_kept_reads.cache_clear()  # and these by ticket ids the emptying reuses
    get_pushes.cache_clear()
    reset_state()


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2id hash of PASSWORD for every test user (hashing is slow on purpose)."""
    from ticket_app.services.passwords import hash_password

    return hash_password(PASSWORD)


@dataclass
class Person:
    """A user of the desk as the tests drive them: who they are and their API token."""

    actor: Any
    token: str

    @property
    def id(self) -> int:
        return self.actor.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_person(engine: Engine, password_hash: str):
    """`make_person(role, name=...)`: a user with that role, the test password and a token."""
    from ticket_app.domain import Role
    from ticket_app.services import api_tokens, users
    from ticket_app.services.access import Actor
    from ticket_app.services.transaction import transaction

    made: list[int] = []

    def make(role: str, name: str | None = None, email: str | None = None) -> Person:
        name = name or f"{role.title()} {len(made) + 1}"
        email = email or f"{name.lower().replace(' ', '.')}@example.com"
        data = users.validate_user_create(
            {"email": email, "name": name, "role": role, "password": PASSWORD}
        )
        with transaction(write=True) as connection:
            user = users.insert_user(connection, data=data, password_hash=password_hash)
        made.append(user.id)
        actor = Actor(id=user.id, email=user.email, name=user.name, role=Role(role))
        token = api_tokens.create(actor, data=api_tokens.validate_token_create({"name": "tests"}))
        return Person(actor=actor, token=token.token)

    return make


@pytest.fixture
def admin(make_person) -> Person:
    return make_person("admin", "Ada Admin")


@pytest.fixture
def agent(make_person) -> Person:
    return make_person("agent", "Alan Agent")


@pytest.fixture
def requester(make_person) -> Person:
    return make_person("requester", "Rita Requester")


@pytest.fixture
def api(engine: Engine) -> Iterator[Any]:
    """`api(person=None)`: the REST API over ASGI, with that person's token (or none)."""
    from ticket_app.api.app import create_api
    from ticket_app.config import get_settings

    app = create_api()
    clients: list[TestClient] = []

    def open_(person: Person | None = None) -> TestClient:
        """A client at the app's own address (the Host allow-list refuses any other)."""
        headers = person.headers if person else {}
        test_client = TestClient(
            app, base_url=get_settings().app_url, raise_server_exceptions=False, headers=headers
        )
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield open_
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture
def client(api, admin: Person) -> TestClient:
    """The REST API as an admin's API client sees it."""
    return api(admin)


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
    from ticket_app.db import WRITE_LOCK_OPTION, create_db_engine

    other = create_db_engine(database_url)
    with other.connect().execution_options(**{WRITE_LOCK_OPTION: True}) as connection:
        connection.begin()  # on SQLite: BEGIN IMMEDIATE, the one write lock
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"))
        yield connection
        connection.rollback()
    other.dispose()


@pytest.fixture
def smtp(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A running SMTP server (tests/support/mail_server.py) that SMTP_URL points at, fast
    retries."""
    from tests.support.mail_server import SmtpServer
    from ticket_app.config import get_settings

    server = SmtpServer()
    server.start()
    monkeypatch.setenv("SMTP_URL", server.url)
    monkeypatch.setenv("MAIL_RETRY_SECONDS", "0.05")
    monkeypatch.setenv("MAIL_ADDRESS", "support@desk.example")
    get_settings.cache_clear()
    yield server
    server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def imap_server() -> Iterator[Any]:
    """Dovecot on loopback for this session (tests/support/imap_server.py); installed with
    apt-get when missing, never skipped."""
    from tests.support.imap_server import ImapServer

    server = ImapServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The IMAP server's mailbox, emptied, with IMAP_URL pointing at it."""
    from ticket_app.config import get_settings

    imap_server.empty()
    monkeypatch.setenv("IMAP_URL", imap_server.url)
    get_settings.cache_clear()
    yield imap_server
    monkeypatch.undo()
    get_settings.cache_clear()
