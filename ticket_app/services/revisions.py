"""Cheap numbers that grow on every change, for live pages to notice what moved.

`tickets` is the sum of `ticket_counts.changes` (every write of a ticket row moves it, through
the counting triggers); `access` moves when a session is revoked or a user's role, password or
activity changes, so open pages re-check who is signed in; `views` moves when a saved view is
saved, changed or deleted, so no page shares a list of views read before; `notices` moves
when someone reads their notifications, so no page shares a bell read before (a new
notification comes with a ticket's change, which moves `tickets`). All come from one small
query. `ticket_mark` is the same idea for one ticket's page.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.models import DeskCounter, Ticket, TicketCount, TicketHistory
from ticket_app.services.access import Actor, visible_tickets
from ticket_app.services.transaction import transaction

COUNTS = TicketCount.__table__
COUNTERS = DeskCounter.__table__
TICKETS = Ticket.__table__
HISTORY = TicketHistory.__table__
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


def ticket_marks(actor: Actor, ticket_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """`ticket_mark` of many tickets in one query (those `actor` may not read are left out):
    every open ticket page of a process asks at once after a change."""
    if not ticket_ids:
        return {}
    newest = (
        sa.select(sa.func.max(HISTORY.c.id))
        .where(HISTORY.c.ticket_id == TICKETS.c.id)
        .scalar_subquery()
    )
    marked = sa.select(
        TICKETS.c.id,
        TICKETS.c.version,
        TICKETS.c.sla_breached,
        TICKETS.c.sla_notified,
        TICKETS.c.sla_due_at,
        TICKETS.c.sla_terms_id,
        newest,
    ).where(TICKETS.c.id.in_(ticket_ids), *visible_tickets(actor))
    with transaction() as connection:
        rows = connection.execute(marked).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def ticket_mark(actor: Actor, ticket_id: int) -> tuple[Any, ...] | None:
    """What moves whenever anything the ticket's page shows changes: the row's version (every
    edit, comment, file, merge), its service-level columns (the sweep writes those without a
    new version) and its newest history entry (every line of the timeline has one). None when
    `actor` may not read the ticket (or it is gone). One primary-key probe and one index probe:
    a page can ask it at every change instead of reading the ticket, timeline and timers."""
    return ticket_marks(actor, [ticket_id]).get(ticket_id)
