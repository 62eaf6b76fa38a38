"""Browser sessions: the random secret in an HttpOnly cookie, its digest in `user_sessions`.

A session is valid while not revoked, before its absolute expiry and before its idle expiry,
which use pushes forward (written at most once a minute). Sign-out revokes it; a password
change, a role change or deactivation revokes all of a user's sessions (`users.py`). Every
check goes to the database, except for a brief cache (see `credentials.py`).

A session records how it was signed in and the browser's User-Agent, so people can tell their
sessions apart and end the ones they do not recognise (admins too, for anyone). An
*enrolment-only* session belongs to staff who must set up two-factor before anything else:
`resolve`, which every page and handler goes through, treats it as no session at all, so it
fails closed wherever nobody thought of it; only the enrolment reads it, through
`resolve_for_enrolment`, and the websocket gate asks `session_restricted` to send such a tab
to the enrolment page instead of the login page.
"""

from datetime import timedelta
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import USER_AGENT_MAX_LENGTH, SecurityEventKind, SignInMethod
from ticket_app.models import User, UserSession, utc_now
from ticket_app.services import revisions, security_log
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.credentials import (
    TOUCH_EVERY_SECONDS,
    USER_COLUMNS,
    BriefCache,
    digest,
    forget_all,
    new_secret,
    session_cache_seconds,
)
from ticket_app.services.errors import NotFound
from ticket_app.services.schemas import Timestamp
from ticket_app.services.transaction import transaction

COOKIE_NAME = "support_desk_session"
PREFIX = "sds_"
SECRET_LENGTH = len(PREFIX) + 43
SESSIONS = UserSession.__table__
USERS = User.__table__

_cache: BriefCache[Actor] = BriefCache()


def user_agent(header: str | None) -> str | None:
    """What is kept of a User-Agent header: printable text, cut to what the table takes."""
    if not header:
        return None
    kept = "".join(char for char in header if char.isprintable())[:USER_AGENT_MAX_LENGTH]
    return kept.strip() or None


def start(
    actor: Actor,
    *,
    method: SignInMethod = SignInMethod.PASSWORD,
    agent: str | None = None,
    enrolment_only: bool = False,
) -> str:
    """A new session for `actor`, signed in by `method` from the browser `agent` (a
    User-Agent header); returns the secret for the cookie (shown nowhere else)."""
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
                method=method.value,
                user_agent=user_agent(agent),
                enrolment_only=enrolment_only,
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


def _cached_any(secret: str | None) -> tuple[bool, Actor | None]:
    if not _well_formed(secret):
        return True, None
    assert secret is not None
    return _cache.get(digest(secret))


def _full(actor: Actor | None) -> Actor | None:
    return None if actor is None or actor.enrolment_only else actor


def cached(secret: str | None) -> tuple[bool, Actor | None]:
    """The cached answer of `resolve` for a session secret, without the database:
    (found, actor)."""
    found, actor = _cached_any(secret)
    return found, _full(actor)


def resolve(secret: str | None) -> Actor | None:
    """Who holds this session secret, or None when it is unknown, expired or revoked, the
    user was deactivated, or the session serves two-factor enrolment only."""
    return _full(resolve_for_enrolment(secret))


def session_restricted(secret: str | None) -> bool:
    """Whether this is a valid session that may do nothing but set up two-factor (the gate
    sends its tab to the enrolment page; every other handler already sees no session)."""
    actor = resolve_for_enrolment(secret)
    return actor is not None and actor.enrolment_only


def resolve_for_enrolment(secret: str | None) -> Actor | None:
    """Who holds this session secret, enrolment-only sessions included (marked on the
    actor): for the two-factor enrolment alone."""
    found, actor = _cached_any(secret)
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
            SESSIONS.c.enrolment_only,
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
    actor = Actor.of(row, session_id=row.session_id, enrolment_only=row.enrolment_only)
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


class SessionRead(BaseModel):
    """A session as its owner (or an admin) sees it: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: Timestamp
    last_used_at: Timestamp
    expires_at: Timestamp  # the idle or the absolute expiry, whichever comes first
    method: SignInMethod
    user_agent: str | None
    enrolment_only: bool
    current: bool  # the session this request comes through


def _live(user_id: int) -> list[sa.ColumnElement[bool]]:
    now = utc_now()
    return [
        SESSIONS.c.user_id == user_id,
        SESSIONS.c.revoked_at.is_(None),
        SESSIONS.c.idle_expires_at > now,
        SESSIONS.c.expires_at > now,
    ]


def _listed(user_id: int, current: int | None) -> list[SessionRead]:
    """The user's sessions still valid, most recently used first (through the user index)."""
    query = (
        sa.select(SESSIONS)
        .where(*_live(user_id))
        .order_by(SESSIONS.c.last_used_at.desc(), SESSIONS.c.id.desc())
    )
    with transaction() as connection:
        rows = connection.execute(query).all()
    return [
        SessionRead(
            id=row.id,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=min(row.idle_expires_at, row.expires_at),
            method=SignInMethod(row.method),
            user_agent=row.user_agent,
            enrolment_only=row.enrolment_only,
            current=row.id == current,
        )
        for row in rows
    ]


def _end(connection: Connection, conditions: list[sa.ColumnElement[bool]]) -> list[int]:
    """Revoke the sessions matching `conditions`; their ids."""
    ended = connection.execute(
        sa.update(SESSIONS).where(*conditions).values(revoked_at=utc_now()).returning(SESSIONS.c.id)
    )
    ids = list(ended.scalars())
    if ids:
        revisions.bump_access(connection)
    return ids


def list_own(actor: Actor) -> list[SessionRead]:
    """The actor's sessions still valid, the one they act through marked `current`."""
    return _listed(actor.id, actor.session_id)


def end_own(actor: Actor, *, session_id: int) -> None:
    """Sign one of the actor's sessions out (the current one too); someone else's, or one
    already ended, is not found."""
    with transaction(write=True) as connection:
        ended = _end(connection, [SESSIONS.c.id == session_id, *_live(actor.id)])
    if not ended:
        raise NotFound.thing("session of yours", session_id)
    forget_all()


def end_others(actor: Actor) -> int:
    """Sign out every session of the actor but the one they act through (all of them when
    acting through an API token); how many ended."""
    others = [SESSIONS.c.id != actor.session_id] if actor.session_id is not None else []
    with transaction(write=True) as connection:
        ended = _end(connection, [*_live(actor.id), *others])
    forget_all()
    return len(ended)


def _user_exists(connection: Connection, user_id: int) -> None:
    if connection.execute(sa.select(USERS.c.id).where(USERS.c.id == user_id)).first() is None:
        raise NotFound.thing("user", user_id)


def list_for_user(actor: Actor, *, user_id: int) -> list[SessionRead]:
    """A user's sessions still valid (admins)."""
    require(actor, Permission.MANAGE_USERS)
    with transaction() as connection:
        _user_exists(connection, user_id)
    return _listed(user_id, actor.session_id)


def end_for_user(actor: Actor, *, user_id: int, session_id: int | None = None) -> int:
    """End one session of a user (`session_id`), or all of them (admins); recorded in the
    user's security log. One that is not theirs, or already ended, is not found."""
    require(actor, Permission.MANAGE_USERS)
    which = [SESSIONS.c.id == session_id] if session_id is not None else []
    with transaction(write=True) as connection:
        _user_exists(connection, user_id)
        ended = _end(connection, [*_live(user_id), *which])
        if session_id is not None and not ended:
            raise NotFound.thing(f"session of user {user_id}", session_id)
        if ended:
            security_log.record(
                connection,
                user_id=user_id,
                kind=SecurityEventKind.SESSION_ENDED_BY_ADMIN,
                actor_id=actor.id,
            )
    forget_all()
    return len(ended)


def finish_enrolment(connection: Connection, session_id: int | None) -> None:
    """Two-factor is set up: the session it was set up from does more than enrolment now."""
    if session_id is not None:
        connection.execute(
            sa.update(SESSIONS).where(SESSIONS.c.id == session_id).values(enrolment_only=False)
        )
        revisions.bump_access(connection)


def end_all(connection: Connection, user_id: int) -> None:
    """End every session of the user in the caller's transaction (callers forget cached
    identities after it commits)."""
    _end(connection, [SESSIONS.c.user_id == user_id, SESSIONS.c.revoked_at.is_(None)])


def restrict_staff(connection: Connection, user_ids: sa.Select[Any]) -> None:
    """Two-factor became required: the valid sessions of `user_ids` (staff without it) serve
    enrolment only from now on."""
    connection.execute(
        sa.update(SESSIONS)
        .where(
            SESSIONS.c.user_id.in_(user_ids),
            SESSIONS.c.revoked_at.is_(None),
            SESSIONS.c.expires_at > utc_now(),
        )
        .values(enrolment_only=True)
    )
    revisions.bump_access(connection)
