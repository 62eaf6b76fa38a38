"""Lists of tickets: filters, search, the four orders with their keyset cursors, and totals
that never count a million rows.

- Every order is a keyset walk down an index: newest and oldest on (created_at, id), activity
  on (updated_at, id), priority as one walk per priority in rank order (critical first) on
  (priority, created_at, id); a list kept to one status, assignee, requester, priority or
  category walks that column's composite index instead (`_lead`). So page 100 costs what
  page 1 does, in every order, whatever the filter.
- Totals come from the counter tables the triggers keep: `ticket_counts` for the value
  filters, `assignee_counts` once an assignee filter is set. What the counters cannot answer
  (a search, a requester's own tickets) is counted up to COUNT_CAP and then reported as
  capped, so a common word costs as little as a rare one.
- Search is a case-insensitive substring match served by a trigram index on both databases
  (pg_trgm GIN indexes; SQLite's FTS5 trigram table).
"""

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators

from ticket_app.domain import PRIORITY_RANK, Priority, SlaFilter, Sort
from ticket_app.models import AssigneeCount, Ticket, TicketCount, utc_now
from ticket_app.services.access import Actor, listed_tickets
from ticket_app.services.cursor import Position, decode_cursor, encode_cursor
from ticket_app.services.schemas import COUNT_CAP, SEARCH_MIN_RUN, TicketFilters

TICKETS = Ticket.__table__
COUNTS = TicketCount.__table__
ASSIGNEE_COUNTS = AssigneeCount.__table__
# PostgreSQL's search text, kept by trigger (migration 0007); no model, like SQLite's FTS5 table.
SEARCH = sa.table("tickets_search", sa.column("id"), sa.column("title"), sa.column("description"))
COLUMNS = tuple(TICKETS.c)
RANKED = sorted(Priority, key=PRIORITY_RANK.__getitem__)
DUE_SOON = timedelta(hours=1)
# An sla list's total stops here: its rows are the ones changing most (their visibility-map
# bits are often clear, so counting reads the table), and 10,000 of them took 80 ms at 1M.
SLA_COUNT_CAP = 1_000
VALUE_FIELDS = ("category", "priority", "status")
# The columns a walk may lead with, best first, by the time column it orders on: each has a
# composite index (column, time, id); see `_lead`.
LEADS = {
    "created_at": ("assignee_id", "created_by", "status", "priority", "category"),
    "updated_at": ("status",),
    "sla_due_at": ("assignee_id",),
}


def rank(priority: str) -> int:
    return PRIORITY_RANK[Priority(priority)]


@dataclass(frozen=True)
class Order:
    """How one sort walks the tickets: its time column, which way, and whether the priority's
    rank (critical first) comes before the time. The cursor holds the same key the ORDER BY
    sorts on, `position`: (rank, time, id) when ranked, else (time, id). Every path (walks,
    searched pages, the Python re-sort of rows fetched by id) reads the order from here, so a
    cursor cannot drift from its ORDER BY.
    """

    time: str
    descending: bool
    ranked: bool = False

    def position(self, row: Any) -> Position:
        """The keyset position of `row`: what a cursor after it holds."""
        pair = (getattr(row, self.time), row.id)
        return (rank(row.priority), *pair) if self.ranked else pair

    def sort_key(self, row: Any) -> tuple[Any, ...]:
        """The order as a Python key, for rows fetched by id."""
        sign = -1 if self.descending else 1
        pair = (sign * getattr(row, self.time).timestamp(), sign * row.id)
        return (rank(row.priority), *pair) if self.ranked else pair

    def by(
        self,
        time: sa.ColumnElement[Any],
        ident: sa.ColumnElement[Any],
        ranked: sa.ColumnElement[int] | None = None,
    ) -> list[sa.ColumnElement[Any]]:
        """The ORDER BY on these columns; `ranked` is the rank when the sort has one there."""
        pair = [time.desc(), ident.desc()] if self.descending else [time.asc(), ident.asc()]
        return pair if ranked is None else [ranked.asc(), *pair]

    def past(
        self,
        after: Position,
        time: sa.ColumnElement[Any],
        ident: sa.ColumnElement[Any],
        ranked: sa.ColumnElement[int] | None = None,
    ) -> sa.ColumnElement[bool]:
        """The rows after the cursor position `after` in this order (see `by`)."""
        if ranked is not None:
            within = self.past(after[1:], time, ident)
            return sa.or_(ranked > after[0], sa.and_(ranked == after[0], within))
        key = sa.tuple_(time, ident)
        return key < after if self.descending else key > after


ORDERS = {
    Sort.NEWEST: Order("created_at", descending=True),
    Sort.OLDEST: Order("created_at", descending=False),
    Sort.PRIORITY: Order("created_at", descending=True, ranked=True),
    Sort.ACTIVITY: Order("updated_at", descending=True),
    # Earliest service-level due time first, on (sla_due_at, id); tickets with none carry
    # NO_DUE and come last. `sla=` lists always take this order (see `sla_conditions`).
    Sort.DUE: Order("sla_due_at", descending=False),
}
TIME_COLUMNS = tuple(dict.fromkeys(order.time for order in ORDERS.values()))
NEWEST_FIRST = tuple(ORDERS[Sort.NEWEST].by(TICKETS.c.created_at, TICKETS.c.id))


@dataclass(frozen=True)
class Resolved:
    """Filters resolved against the acting user: concrete ids and visibility conditions.

    `assignee_key` is None for no assignee filter, 0 for "nobody", else a user id (the
    counters' key); `requester_id` is None for no requester filter.
    """

    filters: TicketFilters
    assignee_key: int | None
    requester_id: int | None
    visibility: tuple[sa.ColumnElement[bool], ...]

    @property
    def counted_exactly(self) -> bool:
        """Whether the counter tables can answer this list's total."""
        return not (
            self.filters.search
            or self.visibility
            or self.requester_id is not None
            or self.filters.sla
        )


def resolve(actor: Actor, *, filters: TicketFilters) -> Resolved:
    """`me`, `none` and ids turned into what the queries use, with the actor's visibility."""
    assignee_key: int | None = None
    if filters.assignee == "none":
        assignee_key = 0
    elif filters.assignee == "me":
        assignee_key = actor.id
    elif filters.assignee:
        assignee_key = int(filters.assignee)
    requester_id = None
    if filters.requester:
        requester_id = actor.id if filters.requester == "me" else int(filters.requester)
    return Resolved(filters, assignee_key, requester_id, tuple(listed_tickets(actor)))


def is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _without_index(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """SQLite's unary `+`: the term still filters but cannot drive an index, so the planner
    starts from the (few) search matches instead of walking a whole value range."""
    return sa.UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def uses_fts(connection: Connection, text: str) -> bool:
    """Whether SQLite's FTS5 trigram table serves this search (PostgreSQL uses ILIKE)."""
    return bool(text) and not is_postgres(connection) and len(text) >= SEARCH_MIN_RUN


def search_condition(connection: Connection, text: str) -> sa.ColumnElement[bool]:
    """Substring match on title or description, served by a trigram index.

    Both look in `tickets_search`, which holds the text apart from the tickets so that
    changing a ticket's status never re-indexes its description. PostgreSQL: ILIKE there,
    served by its pg_trgm GIN indexes. SQLite: the FTS5 trigram table (a quoted phrase is a
    substring match there). `parse_filters` refuses texts no trigram index can serve, so
    neither falls back to reading every ticket.
    """
    if is_postgres(connection):
        pattern = f"%{_escape_like(text)}%"
        matches = sa.select(SEARCH.c.id).where(
            sa.or_(
                SEARCH.c.title.ilike(pattern, escape="\\"),
                SEARCH.c.description.ilike(pattern, escape="\\"),
            )
        )
        return TICKETS.c.id.in_(matches)
    phrase = '"' + text.replace('"', '""') + '"'
    matches = sa.text("SELECT rowid FROM tickets_search WHERE tickets_search MATCH :phrase")
    return TICKETS.c.id.in_(matches.bindparams(phrase=phrase))


def value_conditions(
    table: sa.Table, filters: TicketFilters, indexed: bool = True, lead: str | None = None
) -> list[sa.ColumnElement[bool]]:
    """The enumerated filters on `table` (tickets and the counters share the column names)."""
    conditions = []
    for name in VALUE_FIELDS:
        if values := getattr(filters, name):
            column = table.c[name] if indexed else _without_index(table.c[name])
            wanted = [value.value for value in values]
            if len(wanted) > 1:
                conditions.append(column.in_(wanted))
            else:
                conditions.append(_equals(column, wanted[0], lead))
    return conditions


def _equals(column: sa.ColumnElement[Any], value: Any, lead: str | None) -> sa.ColumnElement[bool]:
    """`column = value`, written as a range when the column leads the walk (see `_lead`)."""
    return column.between(value, value) if column.key == lead else column == value


def conditions(
    connection: Connection, resolved: Resolved, lead: str | None = None
) -> list[sa.ColumnElement[bool]]:
    """Every condition of the list on `tickets`, visibility included; `lead` names the column
    a walk leads with."""
    filters = resolved.filters
    # A search (SQLite's FTS) or an sla range (the due index) drives the walk on SQLite; the
    # other filters then only filter, so the planner cannot take their index and sort.
    sla_on_sqlite = filters.sla is not None and not is_postgres(connection)
    indexed = not (uses_fts(connection, filters.search) or sla_on_sqlite)
    wanted = value_conditions(TICKETS, filters, indexed, lead)

    def column(name: str) -> sa.ColumnElement[Any]:
        return TICKETS.c[name] if indexed else _without_index(TICKETS.c[name])

    if resolved.assignee_key == 0:
        wanted.append(TICKETS.c.assignee_id.is_(None))
    elif resolved.assignee_key is not None:
        wanted.append(_equals(column("assignee_id"), resolved.assignee_key, lead))
    if resolved.requester_id is not None:
        wanted.append(_equals(column("created_by"), resolved.requester_id, lead))
    if filters.search:
        wanted.append(search_condition(connection, filters.search))
    return [*wanted, *sla_conditions(filters), *resolved.visibility]


def sla_conditions(filters: TicketFilters) -> list[sa.ColumnElement[bool]]:
    """`sla=breached`: a running target is past its due time; `due_soon`: one is due within
    the hour. Both are a range of the (sla_due_at, id) index the order `due` walks."""
    if filters.sla is None:
        return []
    now = utc_now()
    if filters.sla == SlaFilter.BREACHED:
        return [TICKETS.c.sla_due_at <= now]
    return [TICKETS.c.sla_due_at > now, TICKETS.c.sla_due_at <= now + DUE_SOON]


def _counted(connection: Connection, resolved: Resolved) -> int:
    """The exact total from the counters (only when `resolved.counted_exactly`)."""
    if resolved.assignee_key is None:
        table, extra = COUNTS, []
    else:
        table = ASSIGNEE_COUNTS
        extra = [ASSIGNEE_COUNTS.c.assignee_key == resolved.assignee_key]
    query = sa.select(sa.func.coalesce(sa.func.sum(table.c.tickets), 0)).where(
        *value_conditions(table, resolved.filters), *extra
    )
    return int(connection.execute(query).scalar_one())


def totals_by_assignee(connection: Connection, resolved: Resolved) -> dict[int, int]:
    """The exact total of this list for every assignee at once (the list's own assignee
    filter aside), from `assignee_counts`: one query for everyone's "assigned to me" view.
    Only for a list `counted_exactly`."""
    table = ASSIGNEE_COUNTS
    query = (
        sa.select(table.c.assignee_key, sa.func.sum(table.c.tickets))
        .where(*value_conditions(table, resolved.filters))
        .group_by(table.c.assignee_key)
    )
    return {int(key): int(total) for key, total in connection.execute(query)}


def capped_count(
    connection: Connection, wanted: list[sa.ColumnElement[bool]], cap: int = COUNT_CAP
) -> int:
    """How many tickets match, counting no further than `cap` + 1."""
    matches = sa.select(sa.literal(1)).where(*wanted).limit(cap + 1).subquery()
    return int(connection.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())


def total(connection: Connection, resolved: Resolved) -> tuple[int, bool]:
    """(total, capped) for the list without paging."""
    if resolved.counted_exactly:
        return _counted(connection, resolved), False
    cap = SLA_COUNT_CAP if resolved.filters.sla else COUNT_CAP
    counted = capped_count(connection, conditions(connection, resolved), cap)
    return min(counted, cap), counted > cap


def _single_valued(resolved: Resolved, name: str) -> bool:
    """Whether the list keeps one value of `name` (or, for the assignee, nobody)."""
    if name == "assignee_id":
        return resolved.assignee_key is not None
    if name == "created_by":
        return resolved.requester_id is not None
    return len(getattr(resolved.filters, name)) == 1


def _lead(connection: Connection, resolved: Resolved, time: str) -> str | None:
    """The filtered column whose composite index (column, time, id) the walk must take.

    PostgreSQL drops an ORDER BY column that equals a constant and then rates the index on
    the time column alone, with the filter applied row by row, as cheap as the composite
    one: it assumes the filter's matches are spread evenly in time. They are not (open
    tickets are recent, closed ones old), and the oldest open tickets took 143,000 rows and
    275 ms to find instead of 51 rows and 0.7 ms. So the walk names the column first in its
    ORDER BY and its value as a range (`_equals`), and only the composite index gives that
    order without sorting every match. SQLite is left alone: its planner takes the composite
    index for equalities by itself, and a range on its first column would keep a second
    equality (status and priority) off the index (80 ms instead of 6 at 200,000 tickets).
    """
    if connection.dialect.name != "postgresql":
        return None
    return next((name for name in LEADS[time] if _single_valued(resolved, name)), None)


def _walk_one(
    connection: Connection,
    resolved: Resolved,
    order: Order,
    after: Position | None,
    limit: int,
    columns: tuple[Any, ...],
) -> list[sa.Row[Any]]:
    """One walk down (time, id) in `order`, ignoring its rank (`walk` walks one rank at a time)."""
    time = TICKETS.c[order.time]
    lead = _lead(connection, resolved, order.time)
    by = order.by(time, TICKETS.c.id)
    if lead is not None:
        by.insert(0, TICKETS.c[lead].desc() if order.descending else TICKETS.c[lead].asc())
    keyset = [] if after is None else [order.past(after, time, TICKETS.c.id)]
    query = (
        sa.select(*columns)
        .where(*conditions(connection, resolved, lead), *keyset)
        .order_by(*by)
        .limit(limit)
    )
    return list(connection.execute(query).all())


def walk(
    connection: Connection,
    resolved: Resolved,
    *,
    after: Position | None,
    limit: int,
    columns: tuple[Any, ...] = COLUMNS,
) -> list[sa.Row[Any]]:
    """Up to `limit` rows after `after` in the list's order, each order walking its own index
    (the priority order one walk per priority, critical first)."""
    order = ORDERS[resolved.filters.sort]
    if not order.ranked:
        return _walk_one(connection, resolved, order, after, limit, columns)
    rows: list[sa.Row[Any]] = []
    start = after[0] if after else 0
    kept = resolved.filters.priority
    for priority in RANKED:
        here = PRIORITY_RANK[priority]
        if here < start or (kept and priority not in kept):
            continue
        within = after[1:] if after and here == start else None
        one = replace(resolved, filters=replace(resolved.filters, priority=(priority,)))
        rows += _walk_one(connection, one, order, within, limit - len(rows), columns)
        if len(rows) >= limit:
            break
    return rows


def _rank_expression(column: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    return sa.case({p.value: r for p, r in PRIORITY_RANK.items()}, value=column)


def _searched_page(
    connection: Connection,
    resolved: Resolved,
    after: Position | None,
    limit: int,
) -> tuple[list[sa.Row[Any]], int, bool]:
    """A searched page and its total from one pass over the trigram matches.

    The keys of at most COUNT_CAP + 1 matches are collected once, counted, and the page is
    taken from them in the list's order. Past the cap (a common word) the count stops and
    the page comes from the ordered walk instead, which meets dense matches at once.
    """
    order = ORDERS[resolved.filters.sort]
    wanted = conditions(connection, resolved)
    times = [TICKETS.c[name] for name in TIME_COLUMNS]
    matches = (
        sa.select(TICKETS.c.id, *times, TICKETS.c.priority)
        .where(*wanted)
        .limit(COUNT_CAP + 1)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    counted = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    key = (
        matches.c[order.time],
        matches.c.id,
        _rank_expression(matches.c.priority) if order.ranked else None,
    )
    keyset = [] if after is None else [order.past(after, *key)]
    page_ids = sa.select(matches.c.id).where(*keyset).order_by(*order.by(*key)).limit(limit)
    query = sa.select(*COLUMNS, counted.label("total")).where(TICKETS.c.id.in_(page_ids))
    rows = list(connection.execute(query).all())
    if rows:
        found = int(rows[0].total)
    elif after is None:  # an empty first page: nothing matches, no need to count again
        found = 0
    else:  # past the last match: the count needs a pass of its own
        found = int(connection.execute(sa.select(counted)).scalar())
    if found > COUNT_CAP:
        return walk(connection, resolved, after=after, limit=limit), COUNT_CAP, True
    rows.sort(key=order.sort_key)
    return rows, found, False


@dataclass(frozen=True)
class PageRows:
    rows: list[sa.Row[Any]]
    total: int
    capped: bool
    next_cursor: str | None


def page(connection: Connection, resolved: Resolved, *, limit: int, cursor: str | None) -> PageRows:
    """One page of the list in its order, its total, and the cursor of the next page."""
    fingerprint = resolved.filters.fingerprint()
    after = decode_cursor(cursor, fingerprint) if cursor else None
    if resolved.filters.search:
        rows, found, capped = _searched_page(connection, resolved, after, limit + 1)
    else:
        rows = walk(connection, resolved, after=after, limit=limit + 1)
        found, capped = total(connection, resolved)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(ORDERS[resolved.filters.sort].position(rows[-1]), fingerprint)
    return PageRows(rows=rows, total=found, capped=capped, next_cursor=next_cursor)
