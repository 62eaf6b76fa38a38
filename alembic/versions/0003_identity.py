"""Users, browser sessions, API tokens, the first-admin setup link, and who created a ticket.

Written by hand like the others. Passwords are Argon2id hashes (the CHECK refuses anything
else); sessions and tokens keep only the SHA-256 of the secret the client holds. Emails are
unique whatever their case, through an index on lower(email). Tickets older than this
revision have no creator (`created_by` is null).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "'admin', 'agent', 'requester'"
NOT_BLANK = {
    "postgresql": "length(btrim({column}, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim({column}, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def _timestamp(name: str, required: bool = True, default: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required and default else None,
    )


def _name_rules(dialect: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        sa.CheckConstraint(NOT_BLANK[dialect].format(column="name"), name="name_not_blank"),
    ]


def _owner(table: str) -> sa.Column:
    return sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_user", ondelete="CASCADE"),
        nullable=False,
    )


def _hash(table: str) -> list:
    return [
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.CheckConstraint("length(token_hash) = 64", name=f"{table}_token_hash_length"),
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _timestamp("created_at"),
        _timestamp("last_seen_at", required=False),
        sa.CheckConstraint("length(email) BETWEEN 3 AND 254", name="email_length"),
        sa.CheckConstraint("email LIKE '%_@_%' AND email NOT LIKE '% %'", name="email_shape"),
        *_name_rules(dialect),
        sa.CheckConstraint(f"role IN ({ROLES})", name="role_valid"),
        sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name="password_is_argon2id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ux_users_email", "users", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        *_hash("user_sessions"),
        _owner("user_sessions"),
        _timestamp("created_at"),
        _timestamp("last_used_at"),
        _timestamp("idle_expires_at", default=False),
        _timestamp("expires_at", default=False),
        _timestamp("revoked_at", required=False),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        *_hash("api_tokens"),
        sa.Column("prefix", sa.Text, nullable=False),
        _owner("api_tokens"),
        sa.Column("name", sa.Text, nullable=False),
        _timestamp("created_at"),
        _timestamp("last_used_at", required=False),
        _timestamp("expires_at", required=False),
        _timestamp("revoked_at", required=False),
        sa.CheckConstraint("length(prefix) BETWEEN 4 AND 16", name="prefix_length"),
        *_name_rules(dialect),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])
    op.create_table(
        "setup_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("nonce", sa.Text, nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at", default=False),
        _timestamp("used_at", required=False),
    )
    op.create_table(
        "desk_secrets",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        _timestamp("created_at"),
    )
    counters = op.create_table(
        "desk_counters",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counters, [{"name": "access", "value": 0}])
    if dialect == "postgresql":
        op.add_column(
            "tickets",
            sa.Column(
                "created_by",
                sa.Integer,
                sa.ForeignKey("users.id", name="fk_tickets_created_by"),
                nullable=True,
            ),
        )
    else:
        # ADD COLUMN keeps the table (and its triggers); SQLite accepts a reference there.
        op.execute(
            "ALTER TABLE tickets ADD COLUMN created_by INTEGER "
            "CONSTRAINT fk_tickets_created_by REFERENCES users (id)"
        )
    op.create_index("ix_tickets_created_by_created", "tickets", ["created_by", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_created_by_created", "tickets")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("tickets", "created_by")
    else:
        _drop_sqlite_ticket_columns(["created_by"])
    for table in ("desk_counters", "desk_secrets", "setup_links", "api_tokens", "user_sessions"):
        op.drop_table(table)
    op.drop_index("ux_users_email", "users")
    op.drop_table("users")


def _drop_sqlite_ticket_columns(columns: list[str]) -> None:
    """SQLite cannot drop a column that references another table: rebuild `tickets` without
    it, then put back the triggers the rebuild dropped (the search index keeps its rows,
    since ids are copied)."""
    triggers = op.get_bind().execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets'")
    )
    saved = list(triggers.scalars())
    with op.batch_alter_table(
        "tickets", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        for column in columns:
            batch.drop_column(column)
    for sql in saved:
        op.execute(sql)
