"""Checking and rebuilding what the triggers keep: the counter tables and the search text.

They drift only when tickets change behind the triggers' back (a TRUNCATE, a restore, a seed
that disabled them), and nothing else would notice. `check` compares each with the tickets
(one GROUP BY, a full read: an operator's command, not a request path); `rebuild` recomputes
them in one transaction that holds writers off meanwhile.
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from ticket_app.models import ASSIGNEE_COUNT_SHARDS, COUNT_SHARDS
from ticket_app.services.listing import ASSIGNEE_COUNTS, COUNTS, TICKETS, is_postgres
from ticket_app.services.transaction import transaction

STALE_SEARCH_ROWS = (
    "SELECT count(*) FROM tickets t LEFT JOIN tickets_search s ON s.id = t.id "
    "WHERE s.id IS NULL OR s.title <> t.title OR s.description <> t.description"
)
REFILL_SEARCH = (  # writes only the rows that differ, so a sound table costs one read
    "INSERT INTO tickets_search (id, title, description) SELECT id, title, description "
    "FROM tickets ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, "
    "description = EXCLUDED.description WHERE tickets_search.title <> EXCLUDED.title "
    "OR tickets_search.description <> EXCLUDED.description"
)
TICKET_KEY = ("shard", "category", "priority", "status", "suggestion")
ASSIGNEE_KEY = ("status", "assignee_key", "category", "priority", "shard")


def _outcome() -> sa.ColumnElement[str]:
    """The triggers' rule: did the final values keep the classifier's suggestion?"""
    t = TICKETS.c
    return sa.case(
        (sa.and_(t.suggested_category.is_(None), t.suggested_priority.is_(None)), "none"),
        (sa.and_(t.category == t.suggested_category, t.priority == t.suggested_priority), "agreed"),
        else_="changed",
    )


def _expected_ticket_counts() -> sa.Select[Any]:
    t = TICKETS.c
    keys = [
        (t.id % COUNT_SHARDS).label("shard"),
        t.category,
        t.priority,
        t.status,
        _outcome().label("suggestion"),
    ]
    return sa.select(*keys, sa.func.count().label("tickets")).group_by(*keys)


def _expected_assignee_counts() -> sa.Select[Any]:
    t = TICKETS.c
    keys = [
        t.status,
        sa.func.coalesce(t.assignee_id, 0).label("assignee_key"),
        t.category,
        t.priority,
        (t.id % ASSIGNEE_COUNT_SHARDS).label("shard"),
    ]
    return sa.select(*keys, sa.func.count().label("tickets")).group_by(*keys)


def _table_counts(connection: Connection, table: sa.Table, key: tuple[str, ...]) -> dict:
    rows = connection.execute(sa.select(*(table.c[name] for name in key), table.c.tickets))
    return {tuple(row[:-1]): int(row[-1]) for row in rows if row[-1]}


def _differences(
    name: str, held: dict[tuple[Any, ...], int], expected: dict[tuple[Any, ...], int]
) -> Iterator[str]:
    for key in sorted(set(held) | set(expected), key=str):
        holds, should = held.get(key, 0), expected.get(key, 0)
        if holds != should:
            label = "/".join(str(part) for part in key)
            yield f"{name} {label}: holds {holds}, the tickets say {should}"


def search_index_drift(connection: Connection) -> list[str]:
    """A line when the search text does not match the tickets (SQLite's check writes: the
    caller's transaction must be a writing one)."""
    if is_postgres(connection):
        stale = connection.execute(sa.text(STALE_SEARCH_ROWS)).scalar_one()
        return (
            [f"tickets_search: {stale} tickets' search text is missing or stale"] if stale else []
        )
    try:
        connection.execute(
            sa.text(
                "INSERT INTO tickets_search (tickets_search, rank) VALUES ('integrity-check', 1)"
            )
        )
    except DatabaseError:
        return ["tickets_search: the search index does not match the tickets"]
    return []


def counter_drift(connection: Connection) -> list[str]:
    """One line per counter row that disagrees with the tickets, on the caller's connection."""
    expected = {
        tuple(row[:-1]): int(row[-1]) for row in connection.execute(_expected_ticket_counts())
    }
    assigned = {
        tuple(row[:-1]): int(row[-1]) for row in connection.execute(_expected_assignee_counts())
    }
    return [
        *_differences("ticket_counts", _table_counts(connection, COUNTS, TICKET_KEY), expected),
        *_differences(
            "assignee_counts", _table_counts(connection, ASSIGNEE_COUNTS, ASSIGNEE_KEY), assigned
        ),
    ]


def check() -> list[str]:
    """One line per counter that disagrees with the tickets, and for a stale search index."""
    with transaction() as connection:
        drift = counter_drift(connection)
    with transaction(write=True) as connection:
        drift += search_index_drift(connection)
    return drift


def rebuild() -> None:
    """Recompute the counters and the search text from the tickets, holding writers off
    meanwhile."""
    with transaction(write=True) as connection:
        if is_postgres(connection):
            connection.execute(sa.text("LOCK TABLE tickets IN SHARE MODE"))
        rebuild_on(connection)


def rebuild_on(connection: Connection) -> None:
    """`rebuild` in the caller's transaction (a bulk load that bypassed the triggers).

    The revision that live pages watch keeps growing: the old sum of changes is carried into
    the new rows, plus one, so every open page reloads once.
    """
    changes = connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(COUNTS.c.changes), 0))
    ).scalar_one()
    connection.execute(sa.delete(COUNTS))
    expected = _expected_ticket_counts().subquery()
    connection.execute(
        sa.insert(COUNTS).from_select(
            [*TICKET_KEY, "tickets", "changes"],
            sa.select(
                *(expected.c[name] for name in TICKET_KEY), expected.c.tickets, sa.literal(0)
            ),
        )
    )
    _carry_revision(connection, int(changes) + 1)
    connection.execute(sa.delete(ASSIGNEE_COUNTS))
    assigned = _expected_assignee_counts().subquery()
    connection.execute(
        sa.insert(ASSIGNEE_COUNTS).from_select(
            [*ASSIGNEE_KEY, "tickets"],
            sa.select(*(assigned.c[name] for name in ASSIGNEE_KEY), assigned.c.tickets),
        )
    )
    if is_postgres(connection):
        connection.execute(sa.text(REFILL_SEARCH))
    else:
        connection.execute(
            sa.text("INSERT INTO tickets_search (tickets_search) VALUES ('rebuild')")
        )


def _carry_revision(connection: Connection, changes: int) -> None:
    """Put the revision's old total on one counter row (one exists whenever a ticket does)."""
    first = connection.execute(sa.select(*(COUNTS.c[name] for name in TICKET_KEY)).limit(1)).first()
    if first is None:
        connection.execute(
            sa.insert(COUNTS).values(
                shard=0,
                category="general",
                priority="medium",
                status="closed",
                suggestion="none",
                tickets=0,
                changes=changes,
            )
        )
        return
    connection.execute(
        sa.update(COUNTS)
        .where(*(COUNTS.c[name] == first._mapping[name] for name in TICKET_KEY))
        .values(changes=changes)
    )
