"""Migrations 0003 onwards on a desk that already has tickets, and back: nothing is lost, the
counters stay exact, every old ticket gets its `created` history entry and stays findable.

A desk upgrading in production has tickets; an empty database (tests/test_migrations.py)
cannot show a counter filled wrongly or a history entry missed. The expected counts are
computed here from the tickets themselves, independently of the triggers.
"""

import itertools

import sqlalchemy as sa
from alembic import command

from tests.support.database import scratch_database
from ticket_app.db import create_db_engine
from ticket_app.migrate import alembic_config
from ticket_app.services import counts

TICKET_COLUMNS = (
    "id, title, description, category, priority, status, created_at, updated_at, "
    "suggested_category, suggested_priority"
)
OUTCOME = (
    "CASE WHEN suggested_category IS NULL AND suggested_priority IS NULL THEN 'none' "
    "WHEN category = suggested_category AND priority = suggested_priority THEN 'agreed' "
    "ELSE 'changed' END"
)
EXPECTED_TICKET_COUNTS = (
    f"SELECT id % 16, category, priority, status, {OUTCOME}, count(*) FROM tickets "
    "GROUP BY id % 16, category, priority, status, 5"
)
HELD_TICKET_COUNTS = (
    "SELECT shard, category, priority, status, suggestion, tickets FROM ticket_counts "
    "WHERE tickets <> 0"
)
EXPECTED_ASSIGNEE_COUNTS = (
    "SELECT status, coalesce(assignee_id, 0), category, priority, id % 4, count(*) "
    "FROM tickets GROUP BY status, coalesce(assignee_id, 0), category, priority, id % 4"
)
HELD_ASSIGNEE_COUNTS = (
    "SELECT status, assignee_key, category, priority, shard, tickets FROM assignee_counts "
    "WHERE tickets <> 0"
)


def rows(connection, sql: str) -> set[tuple]:
    return {tuple(row) for row in connection.execute(sa.text(sql))}


def assert_counters_exact(connection, with_assignees: bool) -> None:
    assert rows(connection, HELD_TICKET_COUNTS) == rows(connection, EXPECTED_TICKET_COUNTS)
    if with_assignees:
        assert rows(connection, HELD_ASSIGNEE_COUNTS) == rows(connection, EXPECTED_ASSIGNEE_COUNTS)


def tickets(connection) -> list[tuple]:
    return [
        tuple(row)
        for row in connection.execute(sa.text(f"SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id"))
    ]


def fill_an_old_desk(connection) -> None:
    """Tickets as release 0002 left them: with and without suggestions, kept or overridden,
    in every status, some changed and some deleted since."""
    suggestions = [(None, None), ("billing", "high"), ("technical", "low")]
    for n, (category, priority, status, (suggested, suggested_priority)) in enumerate(
        itertools.product(
            ["billing", "technical", "general"],
            ["low", "high"],
            ["open", "in_progress", "resolved", "closed"],
            suggestions,
        )
    ):
        connection.execute(
            sa.text(
                "INSERT INTO tickets (title, description, category, priority, status, "
                "suggested_category, suggested_priority) VALUES (:title, :description, "
                ":category, :priority, :status, :suggested, :suggested_priority)"
            ),
            {
                "title": f"Old printer ticket {n}",
                "description": f"From before sign-in, number {n}",
                "category": category,
                "priority": priority,
                "status": status,
                "suggested": suggested,
                "suggested_priority": suggested_priority,
            },
        )
    connection.execute(sa.text("UPDATE tickets SET status = 'closed' WHERE id % 7 = 0"))
    connection.execute(sa.text("DELETE FROM tickets WHERE id % 11 = 0"))


def found(connection, text: str) -> list[int]:
    """Ids of the tickets the list's search finds for `text`."""
    from ticket_app.services.listing import TICKETS, search_condition

    query = sa.select(TICKETS.c.id).where(search_condition(connection, text))
    return sorted(connection.execute(query).scalars())


def test_upgrading_a_desk_with_tickets_and_back(database_url, tmp_path):
    with scratch_database(database_url, tmp_path) as url:
        config = alembic_config(url)
        config.attributes["configure_logging"] = False
        engine = create_db_engine(url)
        try:
            command.upgrade(config, "0002")
            with engine.begin() as connection:
                fill_an_old_desk(connection)
                before = tickets(connection)
            assert len(before) > 60

            command.upgrade(config, "head")
            with engine.begin() as connection:
                assert tickets(connection) == before
                assert_counters_exact(connection, with_assignees=True)
                created = connection.execute(
                    sa.text(
                        "SELECT t.id, h.kind, h.old_value, h.new_value, h.public, h.actor_id "
                        "FROM tickets t JOIN ticket_history h ON h.ticket_id = t.id "
                        "AND h.at = t.created_at ORDER BY t.id"
                    )
                ).all()
                assert [row[0] for row in created] == [ticket[0] for ticket in before]
                for row, ticket in zip(created, before, strict=True):
                    suggested = f"{ticket[8]}/{ticket[9]}" if ticket[8] else None
                    kept = f"{ticket[3]}/{ticket[4]}"
                    assert (row[1], row[2], row[3], bool(row[4]), row[5]) == (
                        "created",
                        suggested,
                        kept,
                        True,
                        None,
                    )
                assert counts.search_index_drift(connection) == []
                assert found(connection, "printer ticket 13") == [14]
                # The new triggers count and index what happens after the upgrade too.
                connection.execute(sa.text("UPDATE tickets SET status = 'open' WHERE id % 5 = 0"))
                assert_counters_exact(connection, with_assignees=True)
                retitle = "UPDATE tickets SET title = :title WHERE id = 14"
                connection.execute(sa.text(retitle), {"title": "Scanner jammed"})
                assert found(connection, "printer ticket 13") == []
                assert found(connection, "scanner jam") == [14]
                connection.execute(sa.text(retitle), {"title": "Old printer ticket 13"})
                assert counts.search_index_drift(connection) == []

            command.downgrade(config, "0002")
            with engine.begin() as connection:
                after = tickets(connection)
                assert [t[:6] for t in after] == [
                    (*t[:5], "open" if t[0] % 5 == 0 else t[5]) for t in before
                ]
                assert_counters_exact(connection, with_assignees=False)
                connection.execute(sa.text("UPDATE tickets SET priority = 'low' WHERE id % 3 = 0"))
                assert_counters_exact(connection, with_assignees=False)
                tables = set(sa.inspect(connection).get_table_names())
                assert not tables & {
                    "users",
                    "ticket_history",
                    "ticket_comments",
                    "assignee_counts",
                }
                if engine.dialect.name == "sqlite":
                    matched = connection.execute(
                        sa.text(
                            "SELECT count(*) FROM tickets_search WHERE tickets_search MATCH :q"
                        ),
                        {"q": '"printer ticket"'},
                    ).scalar_one()
                    assert matched == len(before)
        finally:
            engine.dispose()
