"""Cheap numbers that grow on every change, for live pages to notice what moved.

`tickets` is the sum of `ticket_counts.changes` (every write of a ticket row moves it, through
the counting triggers); `access` moves when a session is revoked or a user's role, password or
activity changes, so open pages re-check who is signed in; `views` moves when a saved view is
saved, changed or deleted, so no page shares a list of views read before; `notices` moves
when someone reads their notifications, so no page shares a bell read before (a new
notification comes with a ticket's change, which moves `tickets`). All come from one small
query.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.models import DeskCounter, TicketCount
from ticket_app.services.transaction import transaction

COUNTS = TicketCount.__table__
COUNTERS = DeskCounter.__table__
ACCESS = "access"
VIEWS = "views"
NOTICES = "notices"


@dataclass(frozen=True)
class Revision:
    tickets: int
    access: int
    views: int
    notices: int = 0


def current() -> Revision:
    tickets = sa.select(sa.func.coalesce(sa.func.sum(COUNTS.c.changes), 0)).scalar_subquery()
    counters = (
        sa.func.coalesce(
            sa.select(COUNTERS.c.value).where(COUNTERS.c.name == name).scalar_subquery(), 0
        )
        for name in (ACCESS, VIEWS, NOTICES)
    )
    with transaction() as connection:
        row = connection.execute(sa.select(tickets, *counters)).one()
    return Revision(tickets=int(row[0]), access=int(row[1]), views=int(row[2]), notices=int(row[3]))


def _bump(connection: Connection, name: str) -> None:
    connection.execute(
        sa.update(COUNTERS).where(COUNTERS.c.name == name).values(value=COUNTERS.c.value + 1)
    )


def bump_access(connection: Connection) -> None:
    """Record, in the caller's transaction, that who may do what has changed."""
    _bump(connection, ACCESS)


def bump_views(connection: Connection) -> None:
    """Record, in the caller's transaction, that a saved view has changed."""
    _bump(connection, VIEWS)


def bump_notices(connection: Connection) -> None:
    """Record, in the caller's transaction, that someone read notifications."""
    _bump(connection, NOTICES)
