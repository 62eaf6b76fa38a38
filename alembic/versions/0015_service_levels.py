"""Service levels: business-hours calendars, policies and their immutable terms, the due
columns on tickets, and the new history and notification kinds.

Written by hand like the others (see `ticket_app/models/sla.py` and the Ticket model for why
each column is there). The ticket columns come with their indexes: `(sla_due_at, id)` serves
`sla=breached`, `sla=due_soon` and `sort=due`; `(assignee_id, sla_due_at, id)` the same for one
person's tickets; a partial index of the tickets with a warning still to send serves the
sweep. `sla_due_at` is never null (9999-12-31 when no timer runs), so every existing ticket is
"nothing due" without a rewrite of the table (PostgreSQL keeps a constant default in the
catalogue). Widening a `kind IN (...)` CHECK: PostgreSQL replaces the constraint; SQLite edits
the table's stored definition in place (its documented `writable_schema` way for CHECKs), so
millions of history rows are not copied into a rebuilt table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIORITIES = "'low', 'medium', 'high', 'critical'"
CATEGORIES = "'billing', 'technical', 'account', 'general'"
TARGETS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
TARGET_MAX = 525_600
NO_DUE = {"postgresql": "'9999-12-31 00:00:00+00'", "sqlite": "'9999-12-31 00:00:00.000000'"}
WARN_SOON = sa.text("sla_warn_at IS NOT NULL")
DEFAULT = sa.text("is_default")
# table -> the kinds this revision adds to its `kind_valid` CHECK
NEW_KINDS = {
    "ticket_history": ("sla_warning", "sla_breached"),
    "notifications": ("sla_warning",),
    "notification_preferences": ("sla_warning",),
    "mail_outbox": ("sla_warning",),
}
TICKET_INDEXES = {
    "ix_tickets_due": ["sla_due_at", "id"],
    "ix_tickets_assignee_due": ["assignee_id", "sla_due_at", "id"],
}
SQLITE_COLUMNS = (
    "sla_policy_id INTEGER",
    "sla_terms_id INTEGER CONSTRAINT fk_tickets_sla_terms REFERENCES sla_terms (id)",
    "first_response_due_at DATETIME",
    "next_response_due_at DATETIME",
    "resolution_due_at DATETIME",
    "sla_paused BOOLEAN NOT NULL DEFAULT 0",
    "sla_breached INTEGER NOT NULL DEFAULT 0 "
    "CONSTRAINT sla_breached_bits CHECK (sla_breached BETWEEN 0 AND 7)",
    "sla_notified INTEGER NOT NULL DEFAULT 0 "
    "CONSTRAINT sla_notified_bits CHECK (sla_notified BETWEEN 0 AND 63)",
    f"sla_due_at DATETIME NOT NULL DEFAULT {NO_DUE['sqlite']}",
    "sla_warn_at DATETIME",
)
TICKET_COLUMNS = [column.split()[0] for column in SQLITE_COLUMNS]


def _timestamp(name: str, required: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required else None,
    )


def _targets() -> list:
    return [
        *(sa.Column(name, sa.Integer, nullable=True) for name in TARGETS),
        *(
            sa.CheckConstraint(
                f"{name} IS NULL OR {name} BETWEEN 0 AND {TARGET_MAX}", f"{name}_range"
            )
            for name in TARGETS
        ),
    ]


def _scope() -> list:
    return [
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=True),
        sa.CheckConstraint(f"priority IN ({PRIORITIES})", "priority_valid"),
        sa.CheckConstraint(f"category IS NULL OR category IN ({CATEGORIES})", "category_valid"),
    ]


def _tables(dialect: str) -> None:
    blank = (
        "length(btrim(name, E' \\t\\n\\r\\f\\v')) > 0"
        if dialect == "postgresql"
        else "length(trim(name, ' ' || char(9, 10, 11, 12, 13))) > 0"
    )
    op.create_table(
        "sla_calendars",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("hours", sa.Text, nullable=False),
        sa.Column("holiday_country", sa.Text, nullable=True),
        sa.Column("holiday_region", sa.Text, nullable=True),
        sa.Column("own_holidays", sa.Text, nullable=False, server_default="[]"),
        sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 100", "name_length"),
        sa.CheckConstraint(blank, "name_not_blank"),
        sa.CheckConstraint("length(time_zone) BETWEEN 1 AND 64", "time_zone_length"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_sla_calendars_default",
        "sla_calendars",
        ["is_default"],
        unique=True,
        postgresql_where=DEFAULT,
        sqlite_where=DEFAULT,
    )
    op.create_index("ix_sla_calendars_name", "sla_calendars", ["name"], unique=True)
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer, primary_key=True),
        *_scope(),
        sa.Column(
            "calendar_id",
            sa.Integer,
            sa.ForeignKey("sla_calendars.id", name="fk_sla_policies_calendar"),
            nullable=False,
        ),
        *_targets(),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_sla_policies_scope",
        "sla_policies",
        ["priority", sa.text("coalesce(category, '')")],
        unique=True,
    )
    op.create_table(
        "sla_terms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("policy_id", sa.Integer, nullable=False),
        *_scope(),
        sa.Column("calendar_id", sa.Integer, nullable=False),
        sa.Column("calendar", sa.Text, nullable=False),
        *_targets(),
        _timestamp("valid_from"),
        _timestamp("valid_to", required=False),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", "valid_in_order"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sla_terms_priority", "sla_terms", ["priority", "valid_from"])
    op.create_table(
        "sla_outcomes",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("priority", sa.Text, primary_key=True),
        sa.Column("target", sa.Text, primary_key=True),
        sa.Column("bucket", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("met", sa.Integer, nullable=False),
        sa.Column("breached", sa.Integer, nullable=False),
        sa.CheckConstraint(f"priority IN ({PRIORITIES})", "priority_valid"),
        sa.CheckConstraint(
            "target IN ('first_response', 'next_response', 'resolution')", "target_valid"
        ),
        sa.CheckConstraint("met >= 0 AND breached >= 0 AND bucket >= 0", "counts_valid"),
    )


def _ticket_columns(dialect: str) -> None:
    if dialect == "sqlite":
        # ADD COLUMN keeps the table and its triggers; SQLite takes the rules on the column.
        for column in SQLITE_COLUMNS:
            op.execute(f"ALTER TABLE tickets ADD COLUMN {column}")
    else:
        op.add_column("tickets", sa.Column("sla_policy_id", sa.Integer, nullable=True))
        op.add_column(
            "tickets",
            sa.Column(
                "sla_terms_id",
                sa.Integer,
                sa.ForeignKey("sla_terms.id", name="fk_tickets_sla_terms"),
                nullable=True,
            ),
        )
        for name in ("first_response_due_at", "next_response_due_at", "resolution_due_at"):
            op.add_column("tickets", _timestamp(name, required=False))
        op.add_column(
            "tickets",
            sa.Column("sla_paused", sa.Boolean, nullable=False, server_default=sa.false()),
        )
        for name in ("sla_breached", "sla_notified"):
            op.add_column(
                "tickets", sa.Column(name, sa.Integer, nullable=False, server_default="0")
            )
        op.create_check_constraint("sla_breached_bits", "tickets", "sla_breached BETWEEN 0 AND 7")
        op.create_check_constraint("sla_notified_bits", "tickets", "sla_notified BETWEEN 0 AND 63")
        op.add_column(
            "tickets",
            sa.Column(
                "sla_due_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text(NO_DUE["postgresql"]),
            ),
        )
        op.add_column("tickets", _timestamp("sla_warn_at", required=False))
    for name, columns in TICKET_INDEXES.items():
        op.create_index(name, "tickets", columns)
    op.create_index(
        "ix_tickets_sla_warn",
        "tickets",
        ["sla_warn_at", "id"],
        postgresql_where=WARN_SOON,
        sqlite_where=WARN_SOON,
    )


KIND_CHECK = re.compile(r"(CONSTRAINT kind_valid CHECK \(kind IN \()([^)]*)(\))")


def _sqlite_rewrite(table: str, change: Callable[[str], str]) -> None:
    """Change `table`'s definition in SQLite's stored schema (see the docstring)."""
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar_one()
    rewritten = change(sql)
    assert rewritten != sql, f"{table}: nothing to rewrite"
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
        {"sql": rewritten, "name": table},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def _sqlite_kinds(table: str, change: Callable[[str], str]) -> None:
    """Rewrite the kind list of `table`'s kind_valid CHECK."""
    _sqlite_rewrite(
        table,
        lambda sql: KIND_CHECK.sub(lambda m: m.group(1) + change(m.group(2)) + m.group(3), sql),
    )


def _postgres_kinds(table: str, kinds: list[str]) -> None:
    op.drop_constraint("kind_valid", table, type_="check")
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.create_check_constraint("kind_valid", table, f"kind IN ({listed})")


def _current_kinds(table: str) -> list[str]:
    found = op.get_bind().execute(
        sa.text(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = :t AND c.conname = 'kind_valid'"
        ),
        {"t": table},
    )
    return re.findall(r"'([a-z_]+)'", found.scalar_one())


def _widen_kinds(dialect: str, adding: bool) -> None:
    for table, kinds in NEW_KINDS.items():
        if not adding:
            listed = ", ".join(f"'{kind}'" for kind in kinds)
            op.execute(f"DELETE FROM {table} WHERE kind IN ({listed})")
        if dialect == "sqlite":

            def change(text: str, kinds: tuple[str, ...] = kinds) -> str:
                if adding:
                    return text + "".join(f", '{kind}'" for kind in kinds)
                for kind in kinds:
                    text = text.replace(f", '{kind}'", "")
                return text

            _sqlite_kinds(table, change)
        else:
            current = [kind for kind in _current_kinds(table) if kind not in kinds]
            _postgres_kinds(table, [*current, *kinds] if adding else current)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _tables(dialect)
    _ticket_columns(dialect)
    _widen_kinds(dialect, adding=True)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _widen_kinds(dialect, adding=False)
    op.drop_index("ix_tickets_sla_warn", "tickets")
    for name in TICKET_INDEXES:
        op.drop_index(name, "tickets")
    if dialect == "postgresql":
        for column in TICKET_COLUMNS:
            op.drop_column("tickets", column)
    else:
        # SQLite refuses to drop a column with a foreign key: its reference is taken out of
        # the stored definition first (as the CHECKs above), then each column goes in place.
        _sqlite_rewrite(
            "tickets", lambda sql: sql.replace(SQLITE_COLUMNS[1], "sla_terms_id INTEGER")
        )
        for column in TICKET_COLUMNS:
            op.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
    for table in ("sla_outcomes", "sla_terms", "sla_policies", "sla_calendars"):
        op.drop_table(table)
