"""The database refuses bad rows on its own, without any Python in the way."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

GOOD = {
    "title": "Raw title",
    "description": "Raw description",
    "category": "billing",
    "priority": "low",
    "status": "open",
    "suggested_category": None,
    "suggested_priority": None,
}
INSERT = sa.text(
    "INSERT INTO tickets (title, description, category, priority, status, "
    "suggested_category, suggested_priority) VALUES (:title, :description, :category, "
    ":priority, :status, :suggested_category, :suggested_priority)"
)


def raw_insert(engine, **change) -> None:
    with engine.begin() as connection:
        connection.execute(INSERT, {**GOOD, **change})


def test_a_good_row_is_accepted_with_server_defaults(engine):
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO tickets (title, description, category, priority) "
                "VALUES ('t', 'd', 'general', 'medium')"
            )
        )
        row = connection.execute(sa.text("SELECT status, created_at FROM tickets")).one()
    assert row.status == "open"
    assert row.created_at is not None


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "\t\n"},
        {"title": "x" * 201},
        {"title": None},
        {"description": ""},
        {"description": " \n "},
        {"description": "x" * 20_001},
        {"description": None},
        {"category": "shipping"},
        {"category": "Billing"},
        {"category": None},
        {"priority": "urgent"},
        {"priority": None},
        {"status": "done"},
        {"status": None},
        {"suggested_category": "nope"},
        {"suggested_priority": "HIGH"},
    ],
    ids=lambda change: ",".join(f"{k}={str(v)[:12]!r}" for k, v in change.items()),
)
def test_bad_rows_are_refused_by_the_database(engine, change):
    with pytest.raises(DBAPIError):
        raw_insert(engine, **change)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM tickets")).scalar() == 0


def test_updates_are_checked_too(engine):
    raw_insert(engine)
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(sa.text("UPDATE tickets SET status = 'archived'"))


def test_boundaries_are_accepted(engine):
    raw_insert(engine, title="x" * 200, description="y" * 20_000)
    raw_insert(engine, suggested_category="account", suggested_priority="critical")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT title, description, suggested_category, suggested_priority "
                "FROM tickets ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("x" * 200, "y" * 20_000, None, None),
        ("Raw title", "Raw description", "account", "critical"),
    ]


def test_counters_follow_raw_changes(engine):
    raw_insert(engine)
    raw_insert(engine, category="technical")
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE tickets SET status = 'closed' WHERE category = 'billing'")
        )
        connection.execute(sa.text("DELETE FROM tickets WHERE category = 'technical'"))
        counts = connection.execute(
            sa.text(
                "SELECT category, status, sum(tickets) FROM ticket_counts "
                "GROUP BY category, status HAVING sum(tickets) <> 0"
            )
        ).all()
    assert [tuple(row) for row in counts] == [("billing", "closed", 1)]


def test_the_suite_runs_on_the_database_it_was_asked_for(engine):
    from tests.conftest import POSTGRES_URL

    assert engine.dialect.name == ("postgresql" if POSTGRES_URL else "sqlite")
