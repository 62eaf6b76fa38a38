"""Reply assistance: canned replies and macros, suggested drafts with their feedback and the
running totals the dashboard reads, and per-version summaries of long conversations.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_BLANK = {
    "postgresql": "length(btrim({column}, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim({column}, ' ' || char(9, 10, 11, 12, 13))) > 0",
}
STATUSES = "'open', 'in_progress', 'resolved', 'closed'"
PRIORITIES = "'low', 'medium', 'high', 'critical'"
SOURCES = "source IN ('gemini', 'local')"


def _now() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "owner_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_canned_replies_owner", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("action_status", sa.Text, nullable=True),
        sa.Column("action_priority", sa.Text, nullable=True),
        sa.Column(
            "action_assignee_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_canned_replies_assignee", ondelete="SET NULL"),
            nullable=True,
        ),
        _now(),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        sa.CheckConstraint(NOT_BLANK[dialect].format(column="name"), name="name_not_blank"),
        sa.CheckConstraint("length(body) BETWEEN 1 AND 20000", name="body_length"),
        sa.CheckConstraint(NOT_BLANK[dialect].format(column="body"), name="body_not_blank"),
        sa.CheckConstraint(
            f"action_status IS NULL OR action_status IN ({STATUSES})", name="status_valid"
        ),
        sa.CheckConstraint(
            f"action_priority IS NULL OR action_priority IN ({PRIORITIES})",
            name="priority_valid",
        ),
    )
    op.create_index("ix_canned_replies_owner", "canned_replies", ["owner_id"])
    op.create_index("ix_canned_replies_shared", "canned_replies", ["shared"])
    op.create_index(
        "ux_canned_replies_owner_name",
        "canned_replies",
        ["owner_id", sa.text("lower(name)")],
        unique=True,
    )
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_reply_drafts_ticket", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "author_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_reply_drafts_author"),
            nullable=False,
        ),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("used_fallback", sa.Boolean, nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=True),
        sa.Column("kept", sa.REAL, nullable=True),
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_reply_drafts_comment", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        _now(),
        sa.CheckConstraint("length(body) <= 8000", name="body_length"),
        sa.CheckConstraint(SOURCES, name="source_valid"),
        sa.CheckConstraint("kept IS NULL OR (kept >= 0 AND kept <= 1)", name="kept_in_range"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reply_drafts_ticket", "reply_drafts", ["ticket_id", "author_id", "id"])
    op.create_table(
        "draft_totals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("drafts", sa.BigInteger, nullable=False),
        sa.Column("helpful", sa.BigInteger, nullable=False),
        sa.Column("not_helpful", sa.BigInteger, nullable=False),
        sa.Column("sent", sa.BigInteger, nullable=False),
        sa.Column("kept_sum", sa.Float, nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
    )
    op.create_table(
        "ticket_summaries",
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_summaries_ticket", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        _now(),
        sa.CheckConstraint("length(summary) <= 4000", name="summary_length"),
        sa.CheckConstraint(SOURCES, name="source_valid"),
    )


def downgrade() -> None:
    op.drop_table("ticket_summaries")
    op.drop_table("draft_totals")
    op.drop_table("reply_drafts")
    op.drop_table("canned_replies")
