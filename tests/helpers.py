"""What the identity, conversation and history tests share: making tickets through the API,
walking every page of a list, reading problems, and looking at tables with raw SQL.

Kept here rather than in a conftest so each test module imports what it uses by name.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.engine import make_url

from tests.conftest import PASSWORD
from tests.test_api_errors import problem_fields
from tests.test_api_listing import next_link

__all__ = [
    "bearer",
    "cheap_passwords",
    "count_rows",
    "history_rows",
    "make_ticket",
    "next_link",
    "problem_fields",
    "refused",
    "scratch_database",
    "walk_pages",
]


def bearer(secret: str) -> dict[str, str]:
    """The headers that send `secret` as the API token."""
    return {"Authorization": f"Bearer {secret}"}


def make_ticket(client: Any, **fields: Any) -> dict[str, Any]:
    """A ticket made through POST /api/tickets/ by whoever `client` acts for."""
    body = {"title": "Printer on fire", "description": "It smells of smoke.", **fields}
    response = client.post("/api/tickets/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def walk_pages(client: Any, url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every item of a paged list, following `Link: rel="next"` from `url`; with the
    `X-Total-Count` each page sent (empty strings where none was)."""
    items: list[dict[str, Any]] = []
    totals: list[str] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        items += response.json()
        totals.append(response.headers.get("x-total-count", ""))
        next_url = next_link(response)
    return items, totals


def refused(response: Any, status: int, field: str | None = None) -> dict[str, str]:
    """Assert a problem answer with `status` (naming `field` when given); its fields."""
    assert response.status_code == status, response.text
    fields = problem_fields(response)
    if field is not None:
        assert field in fields, fields
    return fields


def count_rows(engine: Any, table: str, where: str = "1 = 1", **params: Any) -> int:
    with engine.connect() as connection:
        query = sa.text(f"SELECT count(*) FROM {table} WHERE {where}")
        return int(connection.execute(query, params).scalar_one())


def history_rows(engine: Any, ticket_id: int) -> list[tuple[Any, ...]]:
    """(kind, field, old_value, new_value, public) of a ticket's history, oldest first."""
    with engine.connect() as connection:
        query = sa.text(
            "SELECT kind, field, old_value, new_value, public FROM ticket_history "
            "WHERE ticket_id = :ticket ORDER BY id"
        )
        rows = connection.execute(query, {"ticket": ticket_id})
        return [(*row[:4], bool(row[4])) for row in rows]


def cheap_passwords(monkeypatch: Any) -> str:
    """Argon2id at its smallest cost for the rest of the test (hashing, verifying and the
    unknown-email decoy alike, so wrong emails and wrong passwords still cost the same);
    returns such a hash of the test password. Tests that sign in many times use it: at the
    real cost each attempt takes about 0.4 s."""
    from ticket_app.services import passwords

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    decoy = cheap.hash("decoy for unknown emails")
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_decoy_hash", lambda: decoy)
    return cheap.hash(PASSWORD)


@contextmanager
def scratch_database(database_url: str, directory: Path) -> Iterator[str]:
    """The URL of a second, empty database beside the session's (a file in `directory` on
    SQLite, a new database on the same PostgreSQL server), dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{directory / 'scratch.db'}"
        return
    name = f"tickets_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
