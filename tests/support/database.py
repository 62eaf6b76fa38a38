"""Looking at tables with raw SQL, and a second database for tests that migrate one."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url


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
