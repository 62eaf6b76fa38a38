"""The first admin: a one-time setup address instead of a default account or password.

While no active admin exists, every server start makes sure an unexpired setup link exists and
prints its address. The address's token is an HMAC of the link's stored nonce under the desk's
signing key, so every worker prints the same address and the token itself is stored nowhere.
Using it creates the admin and spends the link; once an admin exists the setup page is gone.

Several workers start at once, and several people may use the address at once: every change
here (making a link, spending one, creating the first admin) runs in one transaction that
first locks the access counter's row, so they take turns, and each re-checks "no admin yet"
inside it. Only one link is ever made and only one first admin.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import Role
from ticket_app.models import DeskCounter, SetupLink, utc_now
from ticket_app.services import revisions, users
from ticket_app.services.access import Actor
from ticket_app.services.errors import NotFound
from ticket_app.services.secrets import signing_key
from ticket_app.services.transaction import transaction

LINKS = SetupLink.__table__
COUNTERS = DeskCounter.__table__
SETUP_PATH = "/setup"
GONE = "There is no setup to do here: the desk already has an admin, or the link expired."


def _token(nonce: str) -> str:
    return hmac.new(signing_key(), b"setup:" + nonce.encode(), hashlib.sha256).hexdigest()


def _valid_links() -> sa.Select[tuple[int, str]]:
    return (
        sa.select(LINKS.c.id, LINKS.c.nonce)
        .where(LINKS.c.used_at.is_(None), LINKS.c.expires_at > utc_now())
        .order_by(LINKS.c.id.desc())
    )


def _take_turn(connection: Connection) -> None:
    """Wait for any other setup change to finish (SQLite's write lock does this already;
    on PostgreSQL, the lock on the access counter's row, which every setup change takes)."""
    connection.execute(
        sa.select(COUNTERS.c.value).where(COUNTERS.c.name == revisions.ACCESS).with_for_update()
    ).all()


def _no_admin_yet(connection: Connection) -> bool:
    query = sa.select(sa.func.count()).where(
        users.USERS.c.role == Role.ADMIN.value, users.USERS.c.active.is_(True)
    )
    return connection.execute(query).scalar_one() == 0


def pending_address() -> str | None:
    """The setup address (path and query) to print, or None once an active admin exists.

    Reuses the newest unexpired link, so restarts and several workers print one address.
    """
    if users.active_admins():
        return None
    minutes = get_settings().setup_link_minutes
    with transaction(write=True) as connection:
        _take_turn(connection)
        if not _no_admin_yet(connection):
            return None
        link = connection.execute(_valid_links()).first()
        nonce = link.nonce if link is not None else secrets.token_hex(32)
        if link is None:
            connection.execute(
                sa.insert(LINKS).values(
                    nonce=nonce,
                    created_at=utc_now(),
                    expires_at=utc_now() + timedelta(minutes=minutes),
                )
            )
    return f"{SETUP_PATH}?token={_token(nonce)}"


def is_valid(token: str) -> bool:
    """Whether `token` opens the setup page now (no admin yet, link unused and unexpired)."""
    return _link_id(token) is not None and not users.active_admins()


def _link_id(token: object) -> int | None:
    if not isinstance(token, str) or len(token) != 64:
        return None
    with transaction() as connection:
        for link in connection.execute(_valid_links()):
            if hmac.compare_digest(_token(link.nonce), token):
                return int(link.id)
    return None


def create_first_admin(*, token: str, email: str, name: str, password: str) -> Actor:
    """Create the first admin through the setup link, which is spent by it.

    NotFound when the token is wrong or spent, or an admin already exists; InvalidInput for
    a bad email, name or weak password (the link stays usable).
    """
    link_id = _link_id(token)
    if link_id is None or users.active_admins():
        raise NotFound(GONE)
    data = users.validate_user_create(
        {"email": email, "name": name, "role": Role.ADMIN.value, "password": password}
    )
    password_hash = users.prepare_password(data)
    with transaction(write=True) as connection:
        _take_turn(connection)
        if not _no_admin_yet(connection):
            raise NotFound(GONE)
        spent = connection.execute(
            sa.update(LINKS)
            .where(LINKS.c.id == link_id, LINKS.c.used_at.is_(None))
            .values(used_at=utc_now())
        )
        if spent.rowcount != 1:
            raise NotFound(GONE)
        admin = users.insert_user(connection, data=data, password_hash=password_hash)
    return Actor.of(admin)


def bootstrap_admin() -> str | None:
    """Create the admin named by ADMIN_EMAIL/ADMIN_PASSWORD when set and no admin exists
    (the container's first start). Returns what was done, for the log."""
    settings = get_settings()
    if not settings.admin_email or users.active_admins():
        return None
    if not settings.admin_password:
        return "ADMIN_EMAIL is set but ADMIN_PASSWORD is empty: no admin was created"
    data = users.validate_user_create(
        {
            "email": settings.admin_email,
            "name": settings.admin_name,
            "role": Role.ADMIN.value,
            "password": settings.admin_password,
        }
    )
    password_hash = users.prepare_password(data)
    with transaction(write=True) as connection:
        _take_turn(connection)  # another worker starting at the same moment may be first
        if not _no_admin_yet(connection):
            return None
        users.insert_user(connection, data=data, password_hash=password_hash)
    return f"created the admin {data.email} from ADMIN_EMAIL"
