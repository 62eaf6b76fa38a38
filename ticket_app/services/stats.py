"""The numbers: totals and breakdowns, tickets per day, open tickets per assignee and how
often the classifier's suggestion was kept.

Computed by the database in one round trip each, never by looping over tickets in Python.
Staff figures without a search come from the counter tables the triggers keep, so they cost
the same at a million tickets as at ten. A search, or a requester's own tickets, is counted
over at most the newest COUNT_CAP matches, and the answer says so (`capped`).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.domain import Category, Priority, Status
from ticket_app.services import listing, users
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.listing import ASSIGNEE_COUNTS, COUNTS, TICKETS, Resolved
from ticket_app.services.schemas import COUNT_CAP, Stats, TicketFilters
from ticket_app.services.transaction import transaction

BREAKDOWNS = (("category", Category), ("priority", Priority), ("status", Status))
TOP_ASSIGNEES = 10


@dataclass(frozen=True)
class SuggestionAgreement:
    """How many tickets with a classifier suggestion kept both suggested values."""

    agreed: int
    suggested: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.suggested if self.suggested else None


@dataclass(frozen=True)
class AssigneeLoad:
    """Open tickets of one assignee (`assignee_id` None: nobody)."""

    assignee_id: int | None
    name: str
    active: bool
    open_tickets: int


def _breakdown_columns(source: Any, measure: Any) -> list[Any]:
    columns: list[Any] = [sa.func.coalesce(measure, 0).label("total")]
    for name, enum in BREAKDOWNS:
        columns += [
            sa.func.coalesce(measure.filter(source.c[name] == member.value), 0).label(
                f"{name}:{member}"
            )
            for member in enum
        ]
    return columns


def _from_counters(connection: Connection, resolved: Resolved) -> sa.Select[Any]:
    """Breakdowns from the counters, the first ticket's time from the time index."""
    filters = resolved.filters
    if resolved.assignee_key is None:
        source: Any = COUNTS
        extra: list[Any] = []
    else:
        source = ASSIGNEE_COUNTS
        extra = [ASSIGNEE_COUNTS.c.assignee_key == resolved.assignee_key]
    first_created = (
        sa.select(sa.func.min(TICKETS.c.created_at))
        .where(*listing.conditions(connection, resolved))
        .scalar_subquery()
    )
    columns = _breakdown_columns(source, sa.func.sum(source.c.tickets))
    columns += [first_created.label("first_created_at"), sa.literal(0).label("matched")]
    return (
        sa.select(*columns)
        .select_from(source)
        .where(*listing.value_conditions(source, filters), *extra)
    )


def _from_newest_matches(connection: Connection, resolved: Resolved) -> sa.Select[Any]:
    """Breakdowns over the newest COUNT_CAP matches (and whether more matched).

    The matches are collected once (a materialized CTE): as a subquery read twice, PostgreSQL
    walked the newest tickets for them twice, 540 ms for "error" at a million tickets.
    """
    matches = (
        sa.select(TICKETS.c.category, TICKETS.c.priority, TICKETS.c.status, TICKETS.c.created_at)
        .where(*listing.conditions(connection, resolved))
        .order_by(*listing.NEWEST_FIRST)
        .limit(COUNT_CAP + 1)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    numbered = sa.select(matches, sa.func.row_number().over().label("n")).subquery("numbered")
    kept = sa.select(numbered).where(numbered.c.n <= COUNT_CAP).subquery("kept")
    columns = _breakdown_columns(kept, sa.func.count())
    columns += [
        sa.func.min(kept.c.created_at).label("first_created_at"),
        sa.select(sa.func.count()).select_from(matches).scalar_subquery().label("matched"),
    ]
    return sa.select(*columns).select_from(kept)


def _average_per_day(total: int, first_created_at: datetime | None, today: date) -> float:
    """Tickets per calendar day (UTC) from the first ticket's day to today inclusive."""
    if not total or first_created_at is None:
        return 0.0
    first_day = first_created_at.astimezone(UTC).date()
    days = max((today - first_day).days + 1, 1)
    return round(total / days, 1)


def _as_utc(value: datetime | str | None) -> datetime | None:
    """MIN() of a timestamp comes back as text from SQLite and as a datetime from PostgreSQL."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def get_stats(
    actor: Actor, *, filters: TicketFilters | None = None, today: date | None = None
) -> Stats:
    """Totals and breakdowns of what `actor` may see, in a single round trip."""
    resolved = listing.resolve(actor, filters=filters or TicketFilters())
    with transaction() as connection:
        query = (
            _from_counters(connection, resolved)
            if resolved.counted_exactly
            else _from_newest_matches(connection, resolved)
        )
        row = connection.execute(query).mappings().one()
    total = int(row["total"])
    breakdown = {
        name: {member: int(row[f"{name}:{member}"]) for member in enum} for name, enum in BREAKDOWNS
    }
    first = _as_utc(row["first_created_at"])
    return Stats(
        total_tickets=total,
        open_tickets=breakdown["status"][Status.OPEN],
        avg_tickets_per_day=_average_per_day(total, first, today or datetime.now(UTC).date()),
        priority_breakdown=breakdown["priority"],
        category_breakdown=breakdown["category"],
        status_breakdown=breakdown["status"],
        capped=int(row["matched"]) > COUNT_CAP,
    )


def daily_counts(
    actor: Actor, *, days: int = 30, today: date | None = None
) -> list[tuple[date, int]]:
    """Tickets created per UTC day over the last `days` days, oldest first, zeros included."""
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    resolved = listing.resolve(actor, filters=TicketFilters())
    with transaction() as connection:
        if listing.is_postgres(connection):
            day = sa.func.date(sa.func.timezone("UTC", TICKETS.c.created_at))
        else:
            day = sa.func.date(TICKETS.c.created_at)  # SQLite stores UTC text
        query = (
            sa.select(day.label("day"), sa.func.count())
            .where(TICKETS.c.created_at >= since, *resolved.visibility)
            .group_by(sa.literal_column("day"))
        )
        counted = {
            value if isinstance(value, date) else date.fromisoformat(value): int(count)
            for value, count in connection.execute(query)
        }
    every_day = [start + timedelta(days=n) for n in range(days)]
    return [(day, counted.get(day, 0)) for day in every_day]


def suggestion_agreement(actor: Actor) -> SuggestionAgreement:
    """Read from the counters, so it costs the same at a million tickets as at ten (staff)."""
    require(actor, Permission.READ_ALL)
    measure = sa.func.sum(COUNTS.c.tickets)
    query = sa.select(
        sa.func.coalesce(measure.filter(COUNTS.c.suggestion == "agreed"), 0),
        sa.func.coalesce(measure.filter(COUNTS.c.suggestion != "none"), 0),
    )
    with transaction() as connection:
        agreed, suggested = connection.execute(query).one()
    return SuggestionAgreement(agreed=int(agreed), suggested=int(suggested))


def open_by_assignee(actor: Actor, *, top: int = TOP_ASSIGNEES) -> list[AssigneeLoad]:
    """Open tickets of the `top` busiest assignees, then the unassigned ones (staff).

    From `assignee_counts`: one short range of the counter table, whatever the ticket count.
    """
    require(actor, Permission.READ_ALL)
    counted = sa.func.sum(ASSIGNEE_COUNTS.c.tickets)
    query = (
        sa.select(ASSIGNEE_COUNTS.c.assignee_key, counted.label("open"))
        .where(ASSIGNEE_COUNTS.c.status == Status.OPEN.value)
        .group_by(ASSIGNEE_COUNTS.c.assignee_key)
        .having(counted > 0)
    )
    with transaction() as connection:
        loads = {int(key): int(count) for key, count in connection.execute(query)}
    unassigned = loads.pop(0, 0)
    busiest = sorted(loads.items(), key=lambda item: (-item[1], item[0]))[:top]
    people = users.people({key for key, _ in busiest})
    result = [
        AssigneeLoad(
            assignee_id=key,
            name=people[key].name if key in people else f"User #{key}",
            active=people[key].active if key in people else False,
            open_tickets=count,
        )
        for key, count in busiest
    ]
    result.append(AssigneeLoad(None, "Unassigned", True, unassigned))
    return result
