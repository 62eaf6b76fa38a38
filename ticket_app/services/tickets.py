"""Every ticket query lives here; the REST routes and the Reflex state only call these functions.

Reads that would otherwise scan the table are answered from `ticket_counts` (kept in step by
database triggers): list totals and stats without a search read a few hundred counter rows
instead of counting a million tickets. Lists page by keyset on (created_at, id), newest first.
Search is a case-insensitive substring match backed by a trigram index on both databases; its
total is counted up to SEARCH_COUNT_CAP, so a common word costs as little as a rare one.

SQLAlchemy Core on plain connections: no ORM identity map to fill on the hot paths.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators

from ticket_app.classifier import Suggestion, classify
from ticket_app.domain import (
    DEFAULT_CATEGORY,
    DEFAULT_PRIORITY,
    MAX_TICKET_ID,
    Category,
    Priority,
    Status,
)
from ticket_app.models import Ticket, TicketCount, utc_now
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.errors import InvalidInput, NotFound
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    Stats,
    TicketCreate,
    TicketFilters,
    TicketPatch,
    TicketRead,
    check_limit,
)
from ticket_app.services.transaction import transaction as _transaction

TRIGRAM_MIN_LENGTH = 3
SEARCH_COUNT_CAP = 10_000
TICKETS = Ticket.__table__
COUNTS = TicketCount.__table__
COLUMNS = tuple(TICKETS.c)
NEWEST_FIRST = (TICKETS.c.created_at.desc(), TICKETS.c.id.desc())
BREAKDOWNS = (("category", Category), ("priority", Priority), ("status", Status))
_INSERT = sa.insert(TICKETS).returning(*COLUMNS)
_SELECT_ONE = sa.select(*COLUMNS).where(TICKETS.c.id == sa.bindparam("id"))


@dataclass(frozen=True)
class Page:
    """One page of a list: the tickets, how many match in all, and where the next page starts.

    `total_capped` is true when a search matched more than SEARCH_COUNT_CAP tickets and
    `total` stopped there; without a search the total is always exact.
    """

    items: list[TicketRead]
    total: int
    next_cursor: str | None
    total_capped: bool = False


@dataclass(frozen=True)
class SuggestionAgreement:
    """How many tickets with a classifier suggestion kept both suggested values."""

    agreed: int
    suggested: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.suggested if self.suggested else None


def _ticket(row: sa.Row[Any]) -> TicketRead:
    return TicketRead.model_validate(row._mapping)


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _without_index(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """SQLite's unary `+`: the term still filters but cannot drive an index, so the planner
    starts from the (few) search matches instead of walking a whole value range."""
    return sa.UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _uses_fts(connection: Connection, text: str) -> bool:
    """Whether SQLite's FTS5 trigram table serves this search (PostgreSQL uses ILIKE)."""
    return not _is_postgres(connection) and len(text) >= TRIGRAM_MIN_LENGTH


def _search_condition(connection: Connection, text: str) -> sa.ColumnElement[bool]:
    """Substring match on title or description, served by a trigram index where it can be.

    PostgreSQL: ILIKE, which the pg_trgm GIN indexes serve. SQLite: the FTS5 trigram table for
    three characters or more (a quoted phrase is a substring match there), LIKE below that.
    """
    pattern = f"%{_escape_like(text)}%"
    if _is_postgres(connection):
        return sa.or_(
            TICKETS.c.title.ilike(pattern, escape="\\"),
            TICKETS.c.description.ilike(pattern, escape="\\"),
        )
    if _uses_fts(connection, text):
        phrase = '"' + text.replace('"', '""') + '"'
        matches = sa.text("SELECT rowid FROM tickets_search WHERE tickets_search MATCH :phrase")
        return TICKETS.c.id.in_(matches.bindparams(phrase=phrase))
    return sa.or_(
        TICKETS.c.title.like(pattern, escape="\\"),
        TICKETS.c.description.like(pattern, escape="\\"),
    )


def _value_conditions(
    table: sa.Table, filters: TicketFilters, indexed: bool = True
) -> list[sa.ColumnElement[bool]]:
    """The enumerated filters on `table` (tickets and ticket_counts share the column names)."""
    conditions = []
    for name, values in (
        ("category", filters.category),
        ("priority", filters.priority),
        ("status", filters.status),
    ):
        if values:
            column = table.c[name] if indexed else _without_index(table.c[name])
            wanted = [value.value for value in values]
            conditions.append(column == wanted[0] if len(wanted) == 1 else column.in_(wanted))
    return conditions


def _ticket_conditions(
    connection: Connection, filters: TicketFilters
) -> list[sa.ColumnElement[bool]]:
    if not filters.search:
        return _value_conditions(TICKETS, filters)
    return [
        *_value_conditions(TICKETS, filters, indexed=not _uses_fts(connection, filters.search)),
        _search_condition(connection, filters.search),
    ]


def _counted(connection: Connection, filters: TicketFilters) -> int:
    """Matches of the enumerated filters, summed from the counters."""
    query = sa.select(sa.func.coalesce(sa.func.sum(COUNTS.c.tickets), 0)).where(
        *_value_conditions(COUNTS, filters)
    )
    return int(connection.execute(query).scalar_one())


def _after(table: Any, position: tuple[datetime, int] | None) -> list[sa.ColumnElement[bool]]:
    if position is None:
        return []
    return [sa.tuple_(table.c.created_at, table.c.id) < position]


def _searched_page(
    connection: Connection,
    filters: TicketFilters,
    position: tuple[datetime, int] | None,
    limit: int,
) -> tuple[list[sa.Row[Any]], int, bool]:
    """A searched page and its total from one pass over the trigram matches.

    The keys of at most SEARCH_COUNT_CAP + 1 matches are collected once, counted, and the
    page is taken from them. Past the cap (a common word) the count stops and the page comes
    from the ordered walk down the time index instead, which finds dense matches at once.
    """
    matches = (
        sa.select(TICKETS.c.id, TICKETS.c.created_at)
        .where(*_ticket_conditions(connection, filters))
        .limit(SEARCH_COUNT_CAP + 1)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    counted = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    page_ids = (
        sa.select(matches.c.id)
        .where(*_after(matches, position))
        .order_by(matches.c.created_at.desc(), matches.c.id.desc())
        .limit(limit + 1)
    )
    query = sa.select(*COLUMNS, counted.label("total")).where(TICKETS.c.id.in_(page_ids))
    rows = list(connection.execute(query.order_by(*NEWEST_FIRST)).all())
    if rows:
        total = int(rows[0].total)
    elif position is None:  # an empty first page: nothing matches, no need to count again
        total = 0
    else:  # past the last match: the count needs a pass of its own
        total = int(connection.execute(sa.select(counted)).scalar())
    if total <= SEARCH_COUNT_CAP:
        return rows, total, False
    return _page_rows(connection, filters, position, limit), SEARCH_COUNT_CAP, True


def _page_rows(
    connection: Connection,
    filters: TicketFilters,
    position: tuple[datetime, int] | None,
    limit: int,
) -> list[sa.Row[Any]]:
    """One page, newest first, one more row than asked to tell whether another page follows.

    A composite index serves filter and order; under a search with many matches, the walk
    down the time index meets them at once.
    """
    query = (
        sa.select(*COLUMNS)
        .where(*_ticket_conditions(connection, filters), *_after(TICKETS, position))
        .order_by(*NEWEST_FIRST)
        .limit(limit + 1)
    )
    return list(connection.execute(query).all())


def _suggestion_for(data: TicketCreate) -> Suggestion | None:
    if data.category is not None and data.priority is not None:
        return None
    return classify(f"{data.title}\n{data.description}")


def create_ticket(data: TicketCreate, suggestion: Suggestion | None = None) -> TicketRead:
    """Store a new ticket. Missing category/priority come from `suggestion`, which is asked of
    the classifier when the caller has none; the suggestion itself is stored alongside."""
    if suggestion is None:
        suggestion = _suggestion_for(data)
    category = data.category or (suggestion.category if suggestion else DEFAULT_CATEGORY)
    priority = data.priority or (suggestion.priority if suggestion else DEFAULT_PRIORITY)
    now = utc_now()
    values = {
        "title": data.title,
        "description": data.description,
        "category": category.value,
        "priority": priority.value,
        "status": Status.OPEN.value,
        "created_at": now,
        "updated_at": now,
        "suggested_category": suggestion.category.value if suggestion else None,
        "suggested_priority": suggestion.priority.value if suggestion else None,
    }
    with _transaction() as connection:
        return _ticket(connection.execute(_INSERT, values).one())


def _existing_id(ticket_id: int) -> int:
    """NotFound for ids no row can have, before PostgreSQL's integer column rejects them."""
    if not 1 <= ticket_id <= MAX_TICKET_ID:
        raise NotFound(ticket_id)
    return ticket_id


def get_ticket(ticket_id: int) -> TicketRead:
    _existing_id(ticket_id)
    with _transaction() as connection:
        row = connection.execute(_SELECT_ONE, {"id": ticket_id}).first()
    if row is None:
        raise NotFound(ticket_id)
    return _ticket(row)


def list_tickets(
    filters: TicketFilters, limit: int = PAGE_LIMIT_DEFAULT, cursor: str | None = None
) -> Page:
    """Newest first, `limit` at a time; `cursor` continues where a previous page ended."""
    check_limit(limit)
    fingerprint = filters.fingerprint()
    position = decode_cursor(cursor, fingerprint) if cursor else None
    with _transaction() as connection:
        if filters.search:
            rows, total, capped = _searched_page(connection, filters, position, limit)
        else:
            rows = _page_rows(connection, filters, position, limit)
            total, capped = _counted(connection, filters), False
    items = [_ticket(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at, last.id, fingerprint)
    return Page(items=items, total=total, next_cursor=next_cursor, total_capped=capped)


def update_ticket(ticket_id: int, patch: TicketPatch) -> TicketRead:
    """Write only the fields in `patch`, in one UPDATE, so concurrent edits of other fields
    of the same ticket are kept."""
    _existing_id(ticket_id)
    statement = (
        sa.update(TICKETS)
        .where(TICKETS.c.id == ticket_id)
        .values(**patch.changes(), updated_at=utc_now())
        .returning(*COLUMNS)
    )
    with _transaction() as connection:
        row = connection.execute(statement).first()
    if row is None:
        raise NotFound(ticket_id)
    return _ticket(row)


def delete_ticket(ticket_id: int) -> None:
    _existing_id(ticket_id)
    with _transaction() as connection:
        deleted = connection.execute(sa.delete(TICKETS).where(TICKETS.c.id == ticket_id))
    if deleted.rowcount == 0:
        raise NotFound(ticket_id)


def _breakdown_query(connection: Connection, filters: TicketFilters) -> sa.Select[Any]:
    """One SELECT for all stats: from the counters when it can, from tickets under a search."""
    first_created: Any
    if filters.search:
        source: Any = TICKETS
        measure: Any = sa.func.count()
        conditions = _ticket_conditions(connection, filters)
        first_created = sa.func.min(TICKETS.c.created_at)
    else:
        source = COUNTS
        measure = sa.func.sum(COUNTS.c.tickets)
        conditions = _value_conditions(COUNTS, filters)
        first_created = (
            sa.select(sa.func.min(TICKETS.c.created_at))
            .where(*_value_conditions(TICKETS, filters))
            .scalar_subquery()
        )
    columns: list[Any] = [sa.func.coalesce(measure, 0).label("total")]
    for name, enum in BREAKDOWNS:
        columns += [
            sa.func.coalesce(measure.filter(source.c[name] == member.value), 0).label(
                f"{name}:{member}"
            )
            for member in enum
        ]
    columns.append(first_created.label("first_created_at"))
    return sa.select(*columns).select_from(source).where(*conditions)


def _as_utc(value: datetime | str | None) -> datetime | None:
    """MIN() of a timestamp comes back as text from SQLite and as a datetime from PostgreSQL."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _average_per_day(total: int, first_created_at: datetime | None, today: date) -> float:
    """Tickets per calendar day (UTC) from the first ticket's day to today inclusive."""
    if not total or first_created_at is None:
        return 0.0
    first_day = first_created_at.astimezone(UTC).date()
    days = max((today - first_day).days + 1, 1)
    return round(total / days, 1)


def get_stats(filters: TicketFilters | None = None, today: date | None = None) -> Stats:
    """Totals and breakdowns, computed by the database in a single round trip."""
    filters = filters or TicketFilters()
    with _transaction() as connection:
        row = connection.execute(_breakdown_query(connection, filters)).mappings().one()
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
    )


def daily_counts(days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Tickets created per UTC day over the last `days` days, oldest first, zeros included."""
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    with _transaction() as connection:
        if _is_postgres(connection):
            day = sa.func.date(sa.func.timezone("UTC", TICKETS.c.created_at))
        else:
            day = sa.func.date(TICKETS.c.created_at)  # SQLite stores UTC text
        query = (
            sa.select(day.label("day"), sa.func.count())
            .where(TICKETS.c.created_at >= since)
            .group_by(sa.literal_column("day"))
        )
        counted = {
            value if isinstance(value, date) else date.fromisoformat(value): int(count)
            for value, count in connection.execute(query)
        }
    every_day = [start + timedelta(days=n) for n in range(days)]
    return [(day, counted.get(day, 0)) for day in every_day]


def suggestion_agreement(filters: TicketFilters | None = None) -> SuggestionAgreement:
    """Read from the counters, so it costs the same at a million tickets as at ten."""
    filters = filters or TicketFilters()
    if filters.search:
        raise InvalidInput.single("search", "is not supported for the agreement share")
    measure = sa.func.sum(COUNTS.c.tickets)
    query = sa.select(
        sa.func.coalesce(measure.filter(COUNTS.c.suggestion == "agreed"), 0),
        sa.func.coalesce(measure.filter(COUNTS.c.suggestion != "none"), 0),
    ).where(*_value_conditions(COUNTS, filters))
    with _transaction() as connection:
        agreed, suggested = connection.execute(query).one()
    return SuggestionAgreement(agreed=int(agreed), suggested=int(suggested))


def revision() -> int:
    """A number that grows on every create, update and delete: cheap change detection."""
    query = sa.select(sa.func.coalesce(sa.func.sum(COUNTS.c.changes), 0))
    with _transaction() as connection:
        return int(connection.execute(query).scalar_one())
