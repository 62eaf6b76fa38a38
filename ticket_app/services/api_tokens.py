"""Personal access tokens for the REST API: random, shown once, stored as a digest.

`Authorization: Bearer <token>` resolves to the token's user through one indexed lookup (or
the brief cache); last-used times are written at most once a minute. A token stops working
when it is revoked, when it expires, and while its user is deactivated. A token made with a
token expires no later than the one that made it: a short-lived token cannot mint a lasting one.
A session that serves two-factor enrolment only cannot make one (it would outlive the rule).
Admins see and revoke anyone's tokens (recorded in the user's security log).
"""

from datetime import datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from ticket_app.domain import SecurityEventKind
from ticket_app.models import ApiToken, User, utc_now
from ticket_app.services import security_log
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.credentials import (
    TOUCH_EVERY_SECONDS,
    USER_COLUMNS,
    BriefCache,
    digest,
    forget_all,
    new_secret,
)
from ticket_app.services.errors import Forbidden, NotFound
from ticket_app.services.schemas import Timestamp, validated
from ticket_app.services.transaction import transaction
from ticket_app.services.users import Name

PREFIX = "sdt_"
SECRET_LENGTH = len(PREFIX) + 43
SHOWN_PREFIX_LENGTH = len(PREFIX) + 8
MAX_EXPIRY_DAYS = 3650
TOKENS = ApiToken.__table__
USERS = User.__table__

_cache: BriefCache[Actor] = BriefCache()
ENROLMENT_FIRST = "Set up two-factor sign-in first: until then this session may do nothing else."


def _days(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_EXPIRY_DAYS:
        raise ValueError(f"must be between 1 and {MAX_EXPIRY_DAYS} days")
    return value


class TokenCreate(BaseModel):
    """A new token: a name to recognise it by, and optionally days until it expires."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    expires_in_days: Annotated[int | None, AfterValidator(_days)] = Field(
        default=None,
        description=f"1..{MAX_EXPIRY_DAYS}; never expires when left out. A token created "
        "with a token that expires expires no later than it (its `expires_at` says when)",
    )


class TokenRead(BaseModel):
    """A token as its owner sees it later: never the secret, only its first characters."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    expires_at: Timestamp | None
    revoked_at: Timestamp | None


class TokenCreated(TokenRead):
    """The answer to a create: the only time the secret is shown."""

    token: str


def validate_token_create(data: dict[str, Any]) -> TokenCreate:
    return validated(TokenCreate, data)


def _capped(connection: Connection, actor: Actor, expires: datetime | None) -> datetime | None:
    """`expires`, brought forward to the expiry of the token the actor acts through (if any,
    and if that one expires at all)."""
    if actor.token_id is None:
        return expires
    parent = connection.execute(
        sa.select(TOKENS.c.expires_at).where(TOKENS.c.id == actor.token_id)
    ).scalar_one_or_none()
    if parent is None:
        return expires
    return parent if expires is None else min(expires, parent)


def create(actor: Actor, *, data: TokenCreate) -> TokenCreated:
    """A new token for the actor (any role: a requester's token reaches their own tickets),
    expiring no later than the token the actor uses for this request. Forbidden from a
    session that may only set up two-factor."""
    if actor.enrolment_only:
        raise Forbidden(ENROLMENT_FIRST)
    secret = new_secret(PREFIX)
    now = utc_now()
    expires = now + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    with transaction(write=True) as connection:
        expires = _capped(connection, actor, expires)
        row = connection.execute(
            sa.insert(TOKENS)
            .values(
                token_hash=digest(secret),
                prefix=secret[:SHOWN_PREFIX_LENGTH],
                user_id=actor.id,
                name=data.name,
                created_at=now,
                expires_at=expires,
            )
            .returning(*TOKENS.c)
        ).one()
    return TokenCreated(**TokenRead.model_validate(row._mapping).model_dump(), token=secret)


def list_own(actor: Actor) -> list[TokenRead]:
    """The actor's tokens, newest first, revoked ones included (marked)."""
    query = (
        sa.select(TOKENS)
        .where(TOKENS.c.user_id == actor.id)
        .order_by(TOKENS.c.created_at.desc(), TOKENS.c.id.desc())
    )
    with transaction() as connection:
        return [TokenRead.model_validate(row._mapping) for row in connection.execute(query)]


def list_for_user(actor: Actor, *, user_id: int) -> list[TokenRead]:
    """A user's tokens, newest first, revoked ones included (admins)."""
    require(actor, Permission.MANAGE_USERS)
    query = (
        sa.select(TOKENS)
        .where(TOKENS.c.user_id == user_id)
        .order_by(TOKENS.c.created_at.desc(), TOKENS.c.id.desc())
    )
    with transaction() as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.id == user_id)).first() is None:
            raise NotFound.thing("user", user_id)
        return [TokenRead.model_validate(row._mapping) for row in connection.execute(query)]


def revoke_for_user(actor: Actor, *, user_id: int, token_id: int) -> TokenRead:
    """Revoke a user's token (admins), recorded in their security log; a token that is not
    theirs is not found."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        row = connection.execute(
            sa.update(TOKENS)
            .where(TOKENS.c.id == token_id, TOKENS.c.user_id == user_id)
            .values(revoked_at=sa.func.coalesce(TOKENS.c.revoked_at, utc_now()))
            .returning(*TOKENS.c)
        ).first()
        if row is None:
            raise NotFound.thing(f"token of user {user_id}", token_id)
        security_log.record(
            connection,
            user_id=user_id,
            kind=SecurityEventKind.TOKEN_REVOKED_BY_ADMIN,
            actor_id=actor.id,
        )
    forget_all()
    return TokenRead.model_validate(row._mapping)


def get_own(actor: Actor, *, token_id: int) -> TokenRead:
    """One of the actor's own tokens; someone else's is not found."""
    query = sa.select(TOKENS).where(TOKENS.c.id == token_id, TOKENS.c.user_id == actor.id)
    with transaction() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound.thing("token of yours", token_id)
    return TokenRead.model_validate(row._mapping)


def revoke(actor: Actor, *, token_id: int) -> TokenRead:
    """Revoke one of the actor's own tokens; someone else's is not found."""
    with transaction(write=True) as connection:
        row = connection.execute(
            sa.update(TOKENS)
            .where(TOKENS.c.id == token_id, TOKENS.c.user_id == actor.id)
            .values(revoked_at=sa.func.coalesce(TOKENS.c.revoked_at, utc_now()))
            .returning(*TOKENS.c)
        ).first()
    if row is None:
        raise NotFound.thing("token of yours", token_id)
    forget_all()
    return TokenRead.model_validate(row._mapping)


def well_formed(secret: Any) -> bool:
    return isinstance(secret, str) and len(secret) == SECRET_LENGTH and secret.startswith(PREFIX)


def cached(secret: str) -> tuple[bool, Actor | None]:
    """The cached answer for a secret, without touching the database: (found, actor)."""
    return _cache.get(digest(secret)) if well_formed(secret) else (True, None)


def resolve(secret: str) -> Actor | None:
    """The user this token acts for, or None when it is unknown, revoked, expired or its
    user is deactivated."""
    found, actor = cached(secret)
    if found:
        return actor
    key = digest(secret)
    query = (
        sa.select(
            TOKENS.c.id.label("token_id"),
            TOKENS.c.last_used_at,
            TOKENS.c.expires_at,
            TOKENS.c.revoked_at,
            *USER_COLUMNS,
        )
        .join(USERS, USERS.c.id == TOKENS.c.user_id)
        .where(TOKENS.c.token_hash == key)
    )
    with transaction() as connection:
        row = connection.execute(query).first()
    now = utc_now()
    valid = (
        row is not None
        and row.revoked_at is None
        and row.active
        and (row.expires_at is None or now < row.expires_at)
    )
    if valid:
        actor = Actor.of(row, token_id=row.token_id)
        last = row.last_used_at
        if last is None or (now - last).total_seconds() > TOUCH_EVERY_SECONDS:
            with transaction(write=True) as connection:
                connection.execute(
                    sa.update(TOKENS).where(TOKENS.c.id == row.token_id).values(last_used_at=now)
                )
    _cache.put(key, actor)
    return actor


def token_for_cli(*, email: str, name: str) -> str:
    """The management CLI's `create-token`: a token for the user with this email."""
    with transaction() as connection:
        row = connection.execute(
            sa.select(USERS).where(USERS.c.email == email.strip().lower())
        ).first()
    if row is None:
        raise NotFound(f"No user has the email {email.strip().lower()}.")
    actor = Actor.of(row)
    return create(actor, data=validate_token_create({"name": name})).token
