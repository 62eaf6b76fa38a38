"""Assignment, comments, history, versions and merging; counters per assignee.

- `tickets` gains `assignee_id` (an agent or admin, checked by a trigger), `version` (moves on
  every write; the ETag), `comment_count` (public replies), `note_count` (internal notes) and
  `merged_into_id`, with the indexes the new
  filters and sorts walk.
- `ticket_comments` (public replies and internal notes) and `ticket_history` (append-only: a
  trigger refuses updates). Every existing ticket gets its `created` entry.
- `assignee_counts`, kept by triggers like `ticket_counts` and filled from the tickets here,
  answers totals per assignee without counting tickets.
- PostgreSQL: the counting trigger now takes counter rows in key order, so two updates moving
  tickets opposite ways (open to closed, closed to open) cannot deadlock on each other's rows.
  SQLite has one writer at a time and keeps its triggers; new ones count per assignee.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARDS = 16
ASSIGNEE_SHARDS = 4
KINDS = "'created', 'changed', 'assigned', 'commented', 'reopened', 'merged', 'merged_into'"
FIELDS = "'title', 'description', 'category', 'priority', 'status', 'assignee'"
NOT_BLANK = {
    "postgresql": "length(btrim(body, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim(body, ' ' || char(9, 10, 11, 12, 13))) > 0",
}
NEW_INDEXES = {
    "ix_tickets_assignee_created": ["assignee_id", "created_at", "id"],
    "ix_tickets_assignee_status_created": ["assignee_id", "status", "created_at", "id"],
    "ix_tickets_updated": ["updated_at", "id"],
    "ix_tickets_status_updated": ["status", "updated_at", "id"],
}
NEW_COLUMNS = ["assignee_id", "version", "comment_count", "note_count", "merged_into_id"]
NEW_CHECKS = [
    "version_positive",
    "comment_count_not_negative",
    "note_count_not_negative",
    "not_merged_into_itself",
]
SQLITE_TRIGGERS = (
    "tickets_assignee_count_insert",
    "tickets_assignee_count_delete",
    "tickets_assignee_count_update",
    "tickets_assignee_insert_check",
    "tickets_assignee_update_check",
)
ASSIGNEE_IS_STAFF = (
    "EXISTS (SELECT 1 FROM users WHERE users.id = NEW.assignee_id "
    "AND users.role IN ('admin', 'agent'))"
)


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


def _bump_assignee(row: str, delta: str) -> str:
    """An upsert that adds `delta` tickets to `row`'s per-assignee counter."""
    return (
        "INSERT INTO assignee_counts "
        "(status, assignee_key, category, priority, shard, tickets) "
        f"VALUES ({row}.status, coalesce({row}.assignee_id, 0), {row}.category, "
        f"{row}.priority, {row}.id % {ASSIGNEE_SHARDS}, {delta}) "
        "ON CONFLICT (status, assignee_key, category, priority, shard) "
        f"DO UPDATE SET tickets = assignee_counts.tickets + {delta};"
    )


def _key(row: str) -> str:
    return f"ROW({row}.category, {row}.priority, {row}.status, {_outcome(row)})"


def _assignee_key(row: str) -> str:
    return f"ROW({row}.status, coalesce({row}.assignee_id, 0), {row}.category, {row}.priority)"


PG_KEEP_COUNTS = f"""
CREATE FUNCTION tickets_keep_counts_v2() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_bump("NEW", "1")} {_bump_assignee("NEW", "1")}
  ELSIF TG_OP = 'DELETE' THEN
    {_bump("OLD", "-1")} {_bump_assignee("OLD", "-1")}
  ELSE
    -- Rows are taken in key order (ticket_counts, then assignee_counts), so concurrent
    -- updates going opposite ways wait for each other instead of deadlocking.
    IF {_key("OLD")} = {_key("NEW")} THEN {_bump("NEW", "0")}
    ELSIF {_key("OLD")} < {_key("NEW")} THEN {_bump("OLD", "-1")} {_bump("NEW", "1")}
    ELSE {_bump("NEW", "1")} {_bump("OLD", "-1")}
    END IF;
    IF {_assignee_key("OLD")} < {_assignee_key("NEW")} THEN
      {_bump_assignee("OLD", "-1")} {_bump_assignee("NEW", "1")}
    ELSIF {_assignee_key("OLD")} > {_assignee_key("NEW")} THEN
      {_bump_assignee("NEW", "1")} {_bump_assignee("OLD", "-1")}
    END IF;
  END IF;
  RETURN NULL;
END $$
"""
PG_CHECK_ASSIGNEE = f"""
CREATE FUNCTION tickets_check_assignee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT {ASSIGNEE_IS_STAFF} THEN
    RAISE EXCEPTION 'the assignee must be an agent or an admin' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$
"""
PG_APPEND_ONLY = """
CREATE FUNCTION ticket_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ticket history is append-only' USING ERRCODE = 'check_violation';
END $$
"""


def _add_columns(dialect: str) -> None:
    if dialect == "postgresql":
        op.add_column(
            "tickets",
            sa.Column(
                "assignee_id", sa.Integer, sa.ForeignKey("users.id", name="fk_tickets_assignee")
            ),
        )
        op.add_column(
            "tickets", sa.Column("version", sa.Integer, nullable=False, server_default="1")
        )
        for counted in ("comment_count", "note_count"):
            op.add_column(
                "tickets", sa.Column(counted, sa.Integer, nullable=False, server_default="0")
            )
        op.add_column(
            "tickets",
            sa.Column(
                "merged_into_id",
                sa.Integer,
                sa.ForeignKey("tickets.id", name="fk_tickets_merged_into"),
            ),
        )
        op.create_check_constraint("version_positive", "tickets", "version >= 1")
        op.create_check_constraint("comment_count_not_negative", "tickets", "comment_count >= 0")
        op.create_check_constraint("note_count_not_negative", "tickets", "note_count >= 0")
        op.create_check_constraint(
            "not_merged_into_itself", "tickets", "merged_into_id IS NULL OR merged_into_id <> id"
        )
        return
    # ADD COLUMN keeps the table and its triggers; SQLite takes the rules on the column.
    for column in (
        "assignee_id INTEGER CONSTRAINT fk_tickets_assignee REFERENCES users (id)",
        "version INTEGER NOT NULL DEFAULT 1 CONSTRAINT version_positive CHECK (version >= 1)",
        "comment_count INTEGER NOT NULL DEFAULT 0 "
        "CONSTRAINT comment_count_not_negative CHECK (comment_count >= 0)",
        "note_count INTEGER NOT NULL DEFAULT 0 "
        "CONSTRAINT note_count_not_negative CHECK (note_count >= 0)",
        "merged_into_id INTEGER CONSTRAINT fk_tickets_merged_into REFERENCES tickets (id) "
        "CONSTRAINT not_merged_into_itself CHECK (merged_into_id IS NULL OR merged_into_id <> id)",
    ):
        op.execute(f"ALTER TABLE tickets ADD COLUMN {column}")


def _create_indexes() -> None:
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "tickets", columns)
    op.create_index(
        "ix_tickets_merged_into",
        "tickets",
        ["merged_into_id"],
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
        sqlite_where=sa.text("merged_into_id IS NOT NULL"),
    )


def _create_conversation_tables(dialect: str) -> None:
    op.create_table(
        "ticket_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_comments_ticket", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "author_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_ticket_comments_author"),
            nullable=False,
        ),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "origin_ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_comments_origin", ondelete="SET NULL"),
        ),
        sa.CheckConstraint("length(body) BETWEEN 1 AND 20000", name="body_length"),
        sa.CheckConstraint(NOT_BLANK[dialect], name="body_not_blank"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ticket_comments_ticket", "ticket_comments", ["ticket_id", "id"])
    op.create_table(
        "ticket_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_history_ticket", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "actor_id", sa.Integer, sa.ForeignKey("users.id", name="fk_ticket_history_actor")
        ),
        sa.Column(
            "token_id",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_ticket_history_token"),
        ),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("field", sa.Text),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_ticket_history_comment", ondelete="CASCADE"
            ),
        ),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="kind_valid"),
        sa.CheckConstraint(f"field IS NULL OR field IN ({FIELDS})", name="field_valid"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ticket_history_ticket", "ticket_history", ["ticket_id", "id"])
    op.execute(
        "INSERT INTO ticket_history (ticket_id, kind, old_value, new_value, public, at) "
        "SELECT id, 'created', CASE WHEN suggested_category IS NULL THEN NULL "
        "ELSE suggested_category || '/' || suggested_priority END, "
        "category || '/' || priority, true, created_at FROM tickets ORDER BY id"
    )


def _create_assignee_counts() -> None:
    op.create_table(
        "assignee_counts",
        sa.Column("status", sa.Text, primary_key=True),
        sa.Column("assignee_key", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("priority", sa.Text, primary_key=True),
        sa.Column("shard", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tickets", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO assignee_counts (status, assignee_key, category, priority, shard, tickets) "
        f"SELECT status, 0, category, priority, id % {ASSIGNEE_SHARDS}, count(*) FROM tickets "
        f"GROUP BY status, category, priority, id % {ASSIGNEE_SHARDS}"
    )


def _upgrade_postgresql() -> None:
    op.execute(PG_KEEP_COUNTS)
    op.execute("DROP TRIGGER tickets_keep_counts ON tickets")
    op.execute(
        "CREATE TRIGGER tickets_keep_counts AFTER INSERT OR UPDATE OR DELETE ON tickets "
        "FOR EACH ROW EXECUTE FUNCTION tickets_keep_counts_v2()"
    )
    op.execute(PG_CHECK_ASSIGNEE)
    op.execute(
        "CREATE TRIGGER tickets_check_assignee BEFORE INSERT OR UPDATE OF assignee_id "
        "ON tickets FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL) "
        "EXECUTE FUNCTION tickets_check_assignee()"
    )
    op.execute(PG_APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER ticket_history_append_only BEFORE UPDATE ON ticket_history "
        "FOR EACH ROW EXECUTE FUNCTION ticket_history_append_only()"
    )


def _upgrade_sqlite() -> None:
    changed = (
        "OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status <> NEW.status "
        "OR OLD.category <> NEW.category OR OLD.priority <> NEW.priority"
    )
    refuse = "SELECT RAISE(ABORT, 'the assignee must be an agent or an admin');"
    for statement in (
        "CREATE TRIGGER tickets_assignee_count_insert AFTER INSERT ON tickets BEGIN "
        f"{_bump_assignee('NEW', '1')} END",
        "CREATE TRIGGER tickets_assignee_count_delete AFTER DELETE ON tickets BEGIN "
        f"{_bump_assignee('OLD', '-1')} END",
        "CREATE TRIGGER tickets_assignee_count_update AFTER UPDATE ON tickets "
        f"WHEN {changed} BEGIN {_bump_assignee('OLD', '-1')} {_bump_assignee('NEW', '1')} END",
        "CREATE TRIGGER tickets_assignee_insert_check BEFORE INSERT ON tickets "
        f"WHEN NEW.assignee_id IS NOT NULL AND NOT {ASSIGNEE_IS_STAFF} BEGIN {refuse} END",
        "CREATE TRIGGER tickets_assignee_update_check BEFORE UPDATE OF assignee_id ON tickets "
        f"WHEN NEW.assignee_id IS NOT NULL AND NOT {ASSIGNEE_IS_STAFF} BEGIN {refuse} END",
        "CREATE TRIGGER ticket_history_append_only BEFORE UPDATE ON ticket_history BEGIN "
        "SELECT RAISE(ABORT, 'ticket history is append-only'); END",
    ):
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _add_columns(dialect)
    _create_indexes()
    _create_conversation_tables(dialect)
    _create_assignee_counts()
    if dialect == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER tickets_check_assignee ON tickets")
        op.execute("DROP FUNCTION tickets_check_assignee()")
        op.execute("DROP TRIGGER tickets_keep_counts ON tickets")
        op.execute(
            "CREATE TRIGGER tickets_keep_counts AFTER INSERT OR UPDATE OR DELETE ON tickets "
            "FOR EACH ROW EXECUTE FUNCTION tickets_keep_counts()"
        )
        op.execute("DROP FUNCTION tickets_keep_counts_v2()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("assignee_counts")
    op.drop_table("ticket_history")  # its append-only trigger goes with it
    if dialect == "postgresql":
        op.execute("DROP FUNCTION ticket_history_append_only()")
    op.drop_table("ticket_comments")
    op.drop_index("ix_tickets_merged_into", "tickets")
    for name in NEW_INDEXES:
        op.drop_index(name, "tickets")
    if dialect == "postgresql":
        for column in NEW_COLUMNS:
            op.drop_column("tickets", column)
    else:
        _drop_sqlite_ticket_columns(NEW_COLUMNS, NEW_CHECKS)


def _drop_sqlite_ticket_columns(columns: list[str], checks: list[str]) -> None:
    """SQLite cannot drop a column that references another table: rebuild `tickets` without
    the columns, then put back the triggers the rebuild dropped (the search index keeps its
    rows, since ids are copied)."""
    saved = op.get_bind().execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets'")
    )
    triggers = list(saved.scalars())
    with op.batch_alter_table(
        "tickets", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        for check in checks:
            batch.drop_constraint(check, type_="check")
        for column in columns:
            batch.drop_column(column)
    for sql in triggers:
        op.execute(sql)
