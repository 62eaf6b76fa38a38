"""Saved views: named list filters per user, shareable with everyone by admins.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_BLANK = {
    "postgresql": "length(btrim(name, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim(name, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "owner_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_saved_views_owner", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        sa.CheckConstraint(NOT_BLANK[dialect], name="name_not_blank"),
        sa.CheckConstraint("length(query) <= 1000", name="query_length"),
    )
    op.create_index("ix_saved_views_owner", "saved_views", ["owner_id"])
    op.create_index("ix_saved_views_shared", "saved_views", ["shared"])
    op.create_index(
        "ux_saved_views_owner_name",
        "saved_views",
        ["owner_id", sa.text("lower(name)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("saved_views")
