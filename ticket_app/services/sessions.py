"""Browser sessions: the random secret in an HttpOnly cookie, its digest in `user_sessions`.

A session is valid while not revoked, before its absolute expiry and before its idle expiry,
which use pushes forward (written at most once a minute). Sign-out revokes it; a password
change, a role change or deactivation revokes all of a user's sessions (`users.py`). Every
check goes to the database, except for a brief cache (see `credentials.py`).
"""

from datetime import timedelta
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from typing import Any

import sqlalchemy as sa

from ticket_app.config import get_settings
from ticket_app.models import User, UserSession, utc_now
from ticket_app.services import revisions
from ticket_app.services.access import Actor
from ticket_app.services.credentials import (
    TOUCH_EVERY_SECONDS,
    USER_COLUMNS,
    BriefCache,
    digest,
    forget_all,
    new_secret,
    session_cache_seconds,
)
from ticket_app.services.transaction import transaction

COOKIE_NAME = "support_desk_session"
PREFIX = "sds_"
SECRET_LENGTH = len(PREFIX) + 43
SESSIONS = UserSession.__table__
USERS = User.__table__

_cache: BriefCache[Actor] = BriefCache()


def start(actor: Actor) -> str:
    """A new session for `actor`; returns the secret for the cookie (shown nowhere else)."""
    settings = get_settings()
    secret = new_secret(PREFIX)
    now = utc_now()
    with transaction(write=True) as connection:
        connection.execute(
            sa.insert(SESSIONS).values(
                token_hash=digest(secret),
                user_id=actor.id,
                created_at=now,
                last_used_at=now,
                idle_expires_at=now + timedelta(minutes=settings.session_idle_minutes),
                expires_at=now + timedelta(days=settings.session_max_days),
            )
        )
        connection.execute(sa.update(USERS).where(USERS.c.id == actor.id).values(last_seen_at=now))
    return secret


def cookie_max_age() -> int:
    """Seconds the browser keeps the cookie: the absolute expiry."""
    return get_settings().session_max_days * 24 * 3600


@lru_cache(maxsize=4096)
def secret_from_cookies(header: str | None) -> str | None:
    """The session secret in a Cookie header, if there is one. Remembered: a tab's header is
    fixed for the life of its socket and read at every event and every live reload."""
    if not header:
        return None
    try:
        cookies = SimpleCookie(header)
    except CookieError:
        return None
    morsel = cookies.get(COOKIE_NAME)
    return morsel.value if morsel is not None else None


def _well_formed(secret: Any) -> bool:
    return isinstance(secret, str) and len(secret) == SECRET_LENGTH and secret.startswith(PREFIX)


def cached(secret: str | None) -> tuple[bool, Actor | None]:
    """The cached answer for a session secret, without the database: (found, actor)."""
    if not _well_formed(secret):
        return True, None
    assert secret is not None
    return _cache.get(digest(secret))


def resolve(secret: str | None) -> Actor | None:
    """Who holds this session secret, or None when it is unknown, expired or revoked, or the
    user was deactivated."""
    found, actor = cached(secret)
    if found:
        return actor
    assert secret is not None
    key = digest(secret)
    query = (
        sa.select(
            SESSIONS.c.id.label("session_id"),
            SESSIONS.c.last_used_at,
            SESSIONS.c.idle_expires_at,
            SESSIONS.c.expires_at,
            SESSIONS.c.revoked_at,
            *USER_COLUMNS,
        )
        .join(USERS, USERS.c.id == SESSIONS.c.user_id)
        .where(SESSIONS.c.token_hash == key)
    )
    with transaction() as connection:
        row = connection.execute(query).first()
    now = utc_now()
    valid = (
        row is not None
        and row.revoked_at is None
        and row.active
        and now < row.idle_expires_at
        and now < row.expires_at
    )
    if not valid:
        _cache.put(key, None)
        return None
    actor = Actor.of(row)
    if (now - row.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
        _touch(row.session_id, row.id)
    expires = min(row.idle_expires_at, row.expires_at)
    _cache.put(key, actor, session_cache_seconds((expires - now).total_seconds()))
    return actor


def _touch(session_id: int, user_id: int) -> None:
    now = utc_now()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    with transaction(write=True) as connection:
        connection.execute(
            sa.update(SESSIONS)
            .where(SESSIONS.c.id == session_id)
            .values(last_used_at=now, idle_expires_at=now + idle)
        )
        connection.execute(sa.update(USERS).where(USERS.c.id == user_id).values(last_seen_at=now))


def revoke(secret: str | None) -> None:
    """Sign-out: the session stops working in every tab that shares it."""
    if not _well_formed(secret):
        return
    assert secret is not None
    with transaction(write=True) as connection:
        connection.execute(
            sa.update(SESSIONS)
            .where(SESSIONS.c.token_hash == digest(secret), SESSIONS.c.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
        revisions.bump_access(connection)
    forget_all()
