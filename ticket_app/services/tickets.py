"""Every ticket query lives here; the REST routes and the Reflex state only call these functions.

Reads that would otherwise scan the table are answered from `ticket_counts` (kept in step by
database triggers): list totals and stats without a search read a few hundred counter rows
instead of counting a million tickets. Lists page by keyset on (created_at, id), newest first.
Search is a case-insensitive substring match backed by a trigram index on both databases.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlmodel import Session, select

from ticket_app.classifier import Suggestion, classify
from ticket_app.db import session_scope
from ticket_app.domain import DEFAULT_CATEGORY, DEFAULT_PRIORITY, Category, Priority, Status
from ticket_app.models import Ticket, TicketCount, utc_now
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.errors import DatabaseUnavailable, InvalidInput, NotFound
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    Stats,
    TicketCreate,
    TicketFilters,
    TicketPatch,
    TicketRead,
    check_limit,
)

TRIGRAM_MIN_LENGTH = 3
_COLUMNS = tuple(Ticket.__table__.columns)


@dataclass(frozen=True)
class Page:
    """One page of a list: the tickets, how many match in all, and where the next page starts."""

    items: list[TicketRead]
    total: int
    next_cursor: str | None


@contextmanager
def _session() -> Iterator[Session]:
    """A unit of work that turns connection failures into DatabaseUnavailable."""
    try:
        with session_scope() as session:
            yield session
    except (OperationalError, SAInterfaceError) as error:
        if isinstance(error.orig, Exception) and "constraint" in str(error.orig).lower():
            raise InvalidInput.single("body", "the database refused the values") from None
        raise DatabaseUnavailable() from error
    except IntegrityError:
        raise InvalidInput.single("body", "the database refused the values") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(session: Session, text: str) -> sa.ColumnElement[bool]:
    """Substring match on title or description, served by a trigram index where it can be.

    PostgreSQL: ILIKE, which the pg_trgm GIN indexes serve. SQLite: the FTS5 trigram table for
    three characters or more (a quoted phrase is a substring match there), LIKE below that.
    """
    pattern = f"%{_escape_like(text)}%"
    if session.get_bind().dialect.name == "postgresql":
        return sa.or_(
            Ticket.title.ilike(pattern, escape="\\"),
            Ticket.description.ilike(pattern, escape="\\"),
        )
    if len(text) >= TRIGRAM_MIN_LENGTH:
        phrase = '"' + text.replace('"', '""') + '"'
        matches = sa.text("SELECT rowid FROM tickets_search WHERE tickets_search MATCH :phrase")
        return Ticket.id.in_(matches.bindparams(phrase=phrase))
    return sa.or_(
        Ticket.title.like(pattern, escape="\\"),
        Ticket.description.like(pattern, escape="\\"),
    )


def _value_conditions(table: Any, filters: TicketFilters) -> list[sa.ColumnElement[bool]]:
    """The enumerated filters on `table` (tickets or ticket_counts share the column names)."""
    conditions = []
    for name, values in (
        ("category", filters.category),
        ("priority", filters.priority),
        ("status", filters.status),
    ):
        if values:
            column = getattr(table, name)
            conditions.append(
                column == values[0].value
                if len(values) == 1
                else column.in_([value.value for value in values])
            )
    return conditions


def _ticket_conditions(session: Session, filters: TicketFilters) -> list[sa.ColumnElement[bool]]:
    conditions = _value_conditions(Ticket, filters)
    if filters.search:
        conditions.append(_search_condition(session, filters.search))
    return conditions


def _count(session: Session, filters: TicketFilters) -> int:
    if filters.search:
        query = select(sa.func.count()).select_from(Ticket)
        query = query.where(*_ticket_conditions(session, filters))
    else:
        query = select(sa.func.coalesce(sa.func.sum(TicketCount.tickets), 0))
        query = query.where(*_value_conditions(TicketCount, filters))
    return int(session.exec(query).one())


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
    with _session() as session:
        row = session.execute(sa.insert(Ticket).values(values).returning(*_COLUMNS)).one()
        return TicketRead.model_validate(row._asdict())


def get_ticket(ticket_id: int) -> TicketRead:
    with _session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(ticket_id)
        return TicketRead.model_validate(ticket)


def list_tickets(
    filters: TicketFilters, limit: int = PAGE_LIMIT_DEFAULT, cursor: str | None = None
) -> Page:
    """Newest first, `limit` at a time; `cursor` continues where a previous page ended."""
    check_limit(limit)
    fingerprint = filters.fingerprint()
    with _session() as session:
        query = select(Ticket).where(*_ticket_conditions(session, filters))
        if cursor:
            created_at, ticket_id = decode_cursor(cursor, fingerprint)
            query = query.where(sa.tuple_(Ticket.created_at, Ticket.id) < (created_at, ticket_id))
        query = query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit + 1)
        rows = list(session.exec(query))
        total = _count(session, filters)
    items = [TicketRead.model_validate(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at, last.id, fingerprint)
    return Page(items=items, total=total, next_cursor=next_cursor)


def update_ticket(ticket_id: int, patch: TicketPatch) -> TicketRead:
    """Write only the fields in `patch`, in one UPDATE, so concurrent edits of other fields
    of the same ticket are kept."""
    values: dict[str, Any] = {**patch.changes(), "updated_at": utc_now()}
    with _session() as session:
        statement = (
            sa.update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(**values)
            .returning(*_COLUMNS)
        )
        row = session.execute(statement).first()
        if row is None:
            raise NotFound(ticket_id)
        return TicketRead.model_validate(row._asdict())


def delete_ticket(ticket_id: int) -> None:
    with _session() as session:
        result = session.execute(sa.delete(Ticket).where(Ticket.id == ticket_id))
        if result.rowcount == 0:
            raise NotFound(ticket_id)


def _breakdown_query(session: Session, filters: TicketFilters) -> sa.Select[Any]:
    """One SELECT for all stats: from the counters when it can, from tickets under a search."""
    if filters.search:
        source: Any = Ticket
        measure: Any = sa.func.count()
        conditions = _ticket_conditions(session, filters)
    else:
        source = TicketCount
        measure = sa.func.sum(TicketCount.tickets)
        conditions = _value_conditions(TicketCount, filters)
    first_ticket = (
        select(sa.func.min(Ticket.created_at))
        .where(*_ticket_conditions(session, filters))
        .scalar_subquery()
    )
    columns: list[Any] = [sa.func.coalesce(measure, 0).label("total")]
    for name, enum in (("category", Category), ("priority", Priority), ("status", Status)):
        column = getattr(source, name)
        columns += [
            sa.func.coalesce(measure.filter(column == member.value), 0).label(f"{name}:{member}")
            for member in enum
        ]
    columns.append(first_ticket.label("first_created_at"))
    query = select(*columns)
    if source is TicketCount:
        query = query.select_from(TicketCount)
    return query.where(*conditions)


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
    with _session() as session:
        row = session.execute(_breakdown_query(session, filters)).mappings().one()
    first = row["first_created_at"]
    if isinstance(first, str):  # SQLite returns MIN() of a timestamp column as text
        first = datetime.fromisoformat(first)
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    total = int(row["total"])
    breakdown = {
        name: {member: int(row[f"{name}:{member}"]) for member in enum}
        for name, enum in (("category", Category), ("priority", Priority), ("status", Status))
    }
    return Stats(
        total_tickets=total,
        open_tickets=breakdown["status"][Status.OPEN],
        avg_tickets_per_day=_average_per_day(total, first, today or datetime.now(UTC).date()),
        priority_breakdown=breakdown["priority"],
        category_breakdown=breakdown["category"],
        status_breakdown=breakdown["status"],
    )


def _utc_day(session: Session) -> sa.ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone("UTC", Ticket.created_at))
    return sa.func.date(Ticket.created_at)  # SQLite stores UTC text


def daily_counts(days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Tickets created per UTC day over the last `days` days, oldest first, zeros included."""
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    with _session() as session:
        day = _utc_day(session).label("day")
        query = select(day, sa.func.count()).where(Ticket.created_at >= since).group_by(day)
        counted = {
            value if isinstance(value, date) else date.fromisoformat(value): int(count)
            for value, count in session.execute(query)
        }
    return [
        (start + timedelta(days=n), counted.get(start + timedelta(days=n), 0)) for n in range(days)
    ]


@dataclass(frozen=True)
class SuggestionAgreement:
    """How many tickets with a classifier suggestion kept both suggested values."""

    agreed: int
    suggested: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.suggested if self.suggested else None


def suggestion_agreement(filters: TicketFilters | None = None) -> SuggestionAgreement:
    """Read from the counters, so it costs the same at a million tickets as at ten."""
    filters = filters or TicketFilters()
    if filters.search:
        raise InvalidInput.single("search", "is not supported for the agreement share")
    measure = sa.func.sum(TicketCount.tickets)
    query = select(
        sa.func.coalesce(measure.filter(TicketCount.suggestion == "agreed"), 0),
        sa.func.coalesce(measure.filter(TicketCount.suggestion != "none"), 0),
    ).where(*_value_conditions(TicketCount, filters))
    with _session() as session:
        agreed, suggested = session.execute(query).one()
    return SuggestionAgreement(agreed=int(agreed), suggested=int(suggested))


def revision() -> int:
    """A number that grows on every create, update and delete: cheap change detection."""
    with _session() as session:
        return int(
            session.exec(select(sa.func.coalesce(sa.func.sum(TicketCount.changes), 0))).one()
        )


def check_database() -> None:
    """Raise DatabaseUnavailable unless the database answers a query."""
    with _session() as session:
        session.execute(sa.text("SELECT 1"))
