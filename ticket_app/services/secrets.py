"""The desk's signing key: `SECRET_KEY` when set, else one generated at first use and kept in
the database, so every server process (and every instance of a scaled deployment) signs and
checks with the same key, and no key is ever derived from something that is not secret."""

import secrets
import threading

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ticket_app.config import get_settings
from ticket_app.models import DeskSecret, utc_now
from ticket_app.services.transaction import transaction

SECRETS = DeskSecret.__table__
SIGNING_KEY = "signing_key"

_lock = threading.Lock()
_cached: dict[str, str] = {}


def _stored_or_new(name: str) -> str:
    """Insert a fresh random value unless one exists, then read whichever won."""
    with transaction(write=True) as connection:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(
            insert(SECRETS)
            .values(name=name, value=secrets.token_urlsafe(48), created_at=utc_now())
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return connection.execute(
            sa.select(SECRETS.c.value).where(SECRETS.c.name == name)
        ).scalar_one()


def signing_key() -> bytes:
    """The key that signs cursors and setup links."""
    configured = get_settings().secret_key
    if configured:
        return configured.encode()
    with _lock:
        if SIGNING_KEY not in _cached:
            _cached[SIGNING_KEY] = _stored_or_new(SIGNING_KEY)
        return _cached[SIGNING_KEY].encode()


def forget() -> None:
    """Drop the cached key (tests that empty the database call it)."""
    with _lock:
        _cached.clear()
