"""Inbound mail: every received message kept whole, with its outcome (revision 0014).

See `ticket_app/models/inbound.py` for why the table is there. Its rules are CHECKs; its
queries have their indexes: a ticket's mails (and the per-ticket rate cap), the new tickets
per sender in the last hour (partial, created rows only), and the quarantine (partial).
Message-IDs of received mail that landed on a ticket go to `mail_message_ids` (revision
0010), so a later reply to them threads too.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUARANTINED = sa.text("outcome = 'quarantined'")
CREATED = sa.text("outcome = 'created'")


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "inbound_mails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sender", sa.Text, nullable=True),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_inbound_mails_ticket", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_inbound_mails_comment", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        _timestamp("received_at"),
        _timestamp("processed_at"),
        sa.CheckConstraint(
            "outcome IN ('created', 'appended', 'ignored', 'quarantined')", "outcome_valid"
        ),
        sa.CheckConstraint("source IN ('imap', 'smtp', 'pipe')", "source_valid"),
        sa.CheckConstraint("length(message_id) BETWEEN 3 AND 250", "message_id_length"),
        sa.CheckConstraint("sender IS NULL OR length(sender) <= 254", "sender_length"),
        sa.CheckConstraint("subject IS NULL OR length(subject) <= 300", "subject_length"),
        sa.CheckConstraint("length(reason) BETWEEN 1 AND 1000", "reason_length"),
        sa.CheckConstraint("size >= 0", "size_not_negative"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_inbound_mails_ticket", "inbound_mails", ["ticket_id", "received_at"])
    op.create_index(
        "ix_inbound_mails_sender_created",
        "inbound_mails",
        ["sender", "received_at"],
        postgresql_where=CREATED,
        sqlite_where=CREATED,
    )
    op.create_index(
        "ix_inbound_mails_quarantined",
        "inbound_mails",
        ["id"],
        postgresql_where=QUARANTINED,
        sqlite_where=QUARANTINED,
    )


def downgrade() -> None:
    op.drop_table("inbound_mails")
