"""One-use sign-in links for requesters, so a requester needs no password to reach a ticket.

A link's token is `<user id>.<random>.<HMAC of both under the desk's key>`: a forged or
altered token is refused before the database is asked, and the row (only the token's
SHA-256 is stored) binds it to its user, its target page, SIGNIN_LINK_MINUTES and one use.
Spending is one atomic UPDATE, so two clicks at once sign in at most once. Staff never sign
in by link (they will have two factors): no link is made for them and none is honoured for
them, even one made before a role change.

Tokens are made when a mail is sent (`issue`, by the sender), never while it waits in the
outbox. "Email me a sign-in link" (`request_link`) answers the same whether or not the address
has an account, and is throttled per address and per client.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from limits import RateLimitItemPerHour
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import Role
from ticket_app.models import MailKind, SignInLink, User, utc_now
from ticket_app.services import outbox, throttle
from ticket_app.services.access import Actor
from ticket_app.services.credentials import USER_COLUMNS, digest
from ticket_app.services.secrets import signing_key
from ticket_app.services.transaction import transaction

LINKS = SignInLink.__table__
USERS = User.__table__
TOKEN_MAX_LENGTH = 200


def _signature(text: str) -> str:
    return hmac.new(signing_key(), f"signin:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def _signed(token: str) -> int | None:
    """The user id a well-formed token of ours names, or None."""
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    user, _, rest = token.partition(".")
    nonce, _, signature = rest.partition(".")
    if not (user.isdigit() and nonce and signature):
        return None
    if not hmac.compare_digest(signature.encode(), _signature(f"{user}.{nonce}").encode()):
        return None
    return int(user)


def looks_valid(token: str) -> bool:
    """Whether the token is one this desk signed (says nothing of use or expiry)."""
    return _signed(token) is not None


def issue(connection: Connection, *, user_id: int, target: str) -> str:
    """A new link token for `user_id` leading to `target` (a path), in the caller's
    transaction; ValueError for staff, who never sign in by link."""
    role = connection.execute(sa.select(USERS.c.role).where(USERS.c.id == user_id)).scalar()
    if role != Role.REQUESTER.value:
        raise ValueError("sign-in links are for requesters only")
    text = f"{user_id}.{secrets.token_urlsafe(24)}"
    token = f"{text}.{_signature(text)}"
    now = utc_now()
    connection.execute(
        sa.insert(LINKS).values(
            token_hash=digest(token),
            user_id=user_id,
            target=target if target.startswith("/") else "/",
            created_at=now,
            expires_at=now + timedelta(minutes=get_settings().signin_link_minutes),
        )
    )
    return token


def spend(token: str) -> tuple[Actor, str] | None:
    """Use the token up: (the requester it signs in, where to go), or None when it is forged,
    used, expired, or its user is not an active requester."""
    user_id = _signed(token)
    if user_id is None:
        return None
    now = utc_now()
    with transaction(write=True) as connection:
        target = connection.execute(
            sa.update(LINKS)
            .where(
                LINKS.c.token_hash == digest(token),
                LINKS.c.user_id == user_id,
                LINKS.c.used_at.is_(None),
                LINKS.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(LINKS.c.target)
        ).scalar()
        if target is None:
            return None
        user = connection.execute(sa.select(*USER_COLUMNS).where(USERS.c.id == user_id)).first()
    if user is None or not user.active or user.role != Role.REQUESTER.value:
        return None
    return Actor.of(user), target


def _allowed(email: str, address: str) -> bool:
    """One request counted per address asked for and per client; False past either limit."""
    item = RateLimitItemPerHour(get_settings().signin_link_requests_per_hour)
    moving = throttle.limiter().moving
    keys = (("signin-link", "email", email.strip().lower()), ("signin-link", "client", address))
    return all([moving.hit(item, *key) for key in keys])


def request_link(email: str, *, address: str) -> None:
    """Mail a sign-in link to `email` if it is an active requester's and the limits allow;
    nothing is said either way (the caller answers the same in every case)."""
    if not email or len(email) > 254 or not _allowed(email, address):
        return
    with transaction(write=True) as connection:
        user = connection.execute(
            sa.select(USERS.c.id, USERS.c.email, USERS.c.role, USERS.c.mail_bounced_at).where(
                sa.func.lower(USERS.c.email) == email.strip().lower(),
                USERS.c.active.is_(True),
            )
        ).first()
        if user is None or user.role != Role.REQUESTER.value or user.mail_bounced_at is not None:
            return
        outbox.enqueue(
            connection,
            kind=MailKind.SIGNIN_LINK,
            recipient=outbox.Recipient(user.id, user.email, staff=False),
            ticket_id=None,
            title="",
            actor="",
            link_path="/",
        )
