"""Create the tickets table, its count-keeping triggers and its search index.

Written by hand: autogenerate cannot express the CHECK constraints' intent, triggers, the
FTS5 table on SQLite or the trigram indexes on PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = "'billing', 'technical', 'account', 'general'"
PRIORITIES = "'low', 'medium', 'high', 'critical'"
STATUSES = "'open', 'in_progress', 'resolved', 'closed'"
SHARDS = 16
NOT_BLANK = {
    "postgresql": "length(btrim({column}, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim({column}, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def _outcome(row: str) -> str:
    """SQL for whether a row's final values agree with the classifier's suggestion."""
    return (
        f"CASE WHEN {row}.suggested_category IS NULL AND {row}.suggested_priority IS NULL "
        f"THEN 'none' WHEN {row}.category = {row}.suggested_category "
        f"AND {row}.priority = {row}.suggested_priority THEN 'agreed' ELSE 'changed' END"
    )


def _bump(row: str, delta: str) -> str:
    """An upsert that adds `delta` tickets (and one change) to `row`'s counter."""
    return (
        "INSERT INTO ticket_counts "
        "(shard, category, priority, status, suggestion, tickets, changes) "
        f"VALUES ({row}.id % {SHARDS}, {row}.category, {row}.priority, {row}.status, "
        f"{_outcome(row)}, {delta}, 1) "
        "ON CONFLICT (shard, category, priority, status, suggestion) "
        f"DO UPDATE SET tickets = ticket_counts.tickets + {delta}, "
        "changes = ticket_counts.changes + 1;"
    )


def _create_tables(dialect: str) -> None:
    not_blank = NOT_BLANK[dialect]
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("suggested_category", sa.Text, nullable=True),
        sa.Column("suggested_priority", sa.Text, nullable=True),
        sa.CheckConstraint("length(title) BETWEEN 1 AND 200", name="title_length"),
        sa.CheckConstraint(not_blank.format(column="title"), name="title_not_blank"),
        sa.CheckConstraint("length(description) <= 20000", name="description_length"),
        sa.CheckConstraint(not_blank.format(column="description"), name="description_not_blank"),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name="category_valid"),
        sa.CheckConstraint(f"priority IN ({PRIORITIES})", name="priority_valid"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="status_valid"),
        sa.CheckConstraint(
            f"suggested_category IS NULL OR suggested_category IN ({CATEGORIES})",
            name="suggested_category_valid",
        ),
        sa.CheckConstraint(
            f"suggested_priority IS NULL OR suggested_priority IN ({PRIORITIES})",
            name="suggested_priority_valid",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tickets_created", "tickets", ["created_at", "id"])
    op.create_index("ix_tickets_status_created", "tickets", ["status", "created_at", "id"])
    op.create_index("ix_tickets_priority_created", "tickets", ["priority", "created_at", "id"])
    op.create_index("ix_tickets_category_created", "tickets", ["category", "created_at", "id"])
    op.create_index(
        "ix_tickets_status_priority_created",
        "tickets",
        ["status", "priority", "created_at", "id"],
    )
    op.create_table(
        "ticket_counts",
        sa.Column("shard", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("priority", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, primary_key=True),
        sa.Column("suggestion", sa.Text, primary_key=True),
        sa.Column("tickets", sa.BigInteger, nullable=False),
        sa.Column("changes", sa.BigInteger, nullable=False),
    )


def _upgrade_postgresql() -> None:
    op.execute(
        f"""
        CREATE FUNCTION tickets_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN {_bump("OLD", "-1")} END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') THEN {_bump("NEW", "1")} END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER tickets_keep_counts AFTER INSERT OR UPDATE OR DELETE ON tickets "
        "FOR EACH ROW EXECUTE FUNCTION tickets_keep_counts()"
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_tickets_title_trgm ON tickets USING gin (title gin_trgm_ops)")
    op.execute(
        "CREATE INDEX ix_tickets_description_trgm ON tickets USING gin (description gin_trgm_ops)"
    )


def _upgrade_sqlite() -> None:
    for name, event, bumps in (
        ("tickets_count_insert", "INSERT", _bump("NEW", "1")),
        ("tickets_count_delete", "DELETE", _bump("OLD", "-1")),
        ("tickets_count_update", "UPDATE", _bump("OLD", "-1") + " " + _bump("NEW", "1")),
    ):
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON tickets BEGIN {bumps} END")
    op.execute(
        "CREATE VIRTUAL TABLE tickets_search USING fts5(title, description, "
        "content='tickets', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN "
        "INSERT INTO tickets_search (rowid, title, description) "
        "VALUES (NEW.id, NEW.title, NEW.description); END"
    )
    op.execute(
        "CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN "
        "INSERT INTO tickets_search (tickets_search, rowid, title, description) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.description); END"
    )
    op.execute(
        "CREATE TRIGGER tickets_search_update AFTER UPDATE OF title, description ON tickets "
        "BEGIN INSERT INTO tickets_search (tickets_search, rowid, title, description) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.description); "
        "INSERT INTO tickets_search (rowid, title, description) "
        "VALUES (NEW.id, NEW.title, NEW.description); END"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _create_tables(dialect)
    if dialect == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tickets_keep_counts ON tickets")
        op.execute("DROP FUNCTION IF EXISTS tickets_keep_counts()")
    else:
        op.execute("DROP TABLE IF EXISTS tickets_search")
    op.drop_table("ticket_counts")
    op.drop_table("tickets")
