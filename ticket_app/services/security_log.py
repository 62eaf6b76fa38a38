"""What changed how a user signs in, and who did it: an append-only log beside the change.

Each entry is written in the transaction of the change it records (an admin resetting
someone's two-factor, a recovery code spent, a session ended by an admin), so neither exists
without the other. Admins read a user's log; nothing changes or deletes an entry.
"""

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection

from ticket_app.domain import SecurityEventKind
from ticket_app.models import SecurityEvent, User, utc_now
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import NotFound
from ticket_app.services.schemas import Timestamp
from ticket_app.services.transaction import transaction

EVENTS = SecurityEvent.__table__
USERS = User.__table__
SHOWN = 200  # the newest entries a user's log shows


class SecurityEventRead(BaseModel):
    """One entry: what happened to the user's sign-in, when, and who did it (null: the user
    themselves through sign-in, or the system)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: SecurityEventKind
    at: Timestamp
    actor_id: int | None


def record(
    connection: Connection, *, user_id: int, kind: SecurityEventKind, actor_id: int | None
) -> None:
    """Add an entry in the caller's transaction."""
    now: datetime = utc_now()
    connection.execute(
        sa.insert(EVENTS).values(user_id=user_id, actor_id=actor_id, kind=kind.value, at=now)
    )


def events_of(actor: Actor, *, user_id: int) -> list[SecurityEventRead]:
    """A user's newest SHOWN entries, newest first (admins)."""
    require(actor, Permission.MANAGE_USERS)
    query = (
        sa.select(EVENTS)
        .where(EVENTS.c.user_id == user_id)
        .order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
        .limit(SHOWN)
    )
    with transaction() as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.id == user_id)).first() is None:
            raise NotFound.thing("user", user_id)
        return [SecurityEventRead.model_validate(row._mapping) for row in connection.execute(query)]
