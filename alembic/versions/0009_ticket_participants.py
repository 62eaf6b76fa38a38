"""`ticket_participants`: who besides its requester reads a ticket, after a confirmed merge.

A merge used to let the requester of the merged ticket read the ticket it went into (and its
requester read theirs), unasked: two customers joined. Now a merge across different
requesters is confirmed by the agent, and only then does the merged ticket's requester become
a participant of the target. Merges made before this revision are not turned into
participants: none was confirmed (staff can see them on the tickets' histories).

The primary key (ticket, user) serves the one question asked of it: may this user read this
ticket.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_participants",
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_participants_ticket", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_ticket_participants_user"),
            primary_key=True,
        ),
        sa.Column(
            "merged_from_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_participants_merged", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("merged_from_id IS NULL OR merged_from_id <> ticket_id", "not_self"),
    )


def downgrade() -> None:
    op.drop_table("ticket_participants")
