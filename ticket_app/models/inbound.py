"""Mail that came in: every message the desk received, kept whole, with what became of it.

One row per Message-ID (unique), which is what makes receiving idempotent: the same message
delivered twice (an IMAP fetch repeated after a crash, a mail server retrying) finds its row
and changes nothing. The row keeps the raw message (staff download it from the ticket), the
outcome and the reason in words ("matched #12 by References", "over the cap ..."), the ticket
and comment it became. Quarantined rows are the admins' queue: oversized, unparseable and
rate-capped mail waits there, raw, to be reprocessed or deleted; a partial index keeps that
queue (and the health check's count of it) off the bulk of received mail.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.models.columns import one_of, timestamp, utc_now
from ticket_app.models.mail import MESSAGE_ID_MAX_LENGTH


class InboundOutcome(StrEnum):
    CREATED = "created"  # a new ticket
    APPENDED = "appended"  # a reply on an existing ticket
    IGNORED = "ignored"  # automatic mail, a duplicate, a bounce: nothing created or sent
    QUARANTINED = "quarantined"  # held for an admin: too large, unreadable, over a rate cap


class InboundSource(StrEnum):
    IMAP = "imap"
    SMTP = "smtp"
    PIPE = "pipe"


QUARANTINED = sa.text("outcome = 'quarantined'")
CREATED = sa.text("outcome = 'created'")
SENDER_MAX_LENGTH = 254
SUBJECT_KEPT = 300
REASON_MAX_LENGTH = 1000


class InboundMail(SQLModel, table=True):
    """One received message: raw bytes, sender, subject, outcome and why, and its ticket."""

    __tablename__ = "inbound_mails"
    __table_args__ = (
        sa.CheckConstraint(one_of("outcome", InboundOutcome), name="outcome_valid"),
        sa.CheckConstraint(one_of("source", InboundSource), name="source_valid"),
        sa.CheckConstraint(
            f"length(message_id) BETWEEN 3 AND {MESSAGE_ID_MAX_LENGTH}", name="message_id_length"
        ),
        sa.CheckConstraint(
            f"sender IS NULL OR length(sender) <= {SENDER_MAX_LENGTH}", name="sender_length"
        ),
        sa.CheckConstraint(
            f"subject IS NULL OR length(subject) <= {SUBJECT_KEPT}", name="subject_length"
        ),
        sa.CheckConstraint(
            f"length(reason) BETWEEN 1 AND {REASON_MAX_LENGTH}", name="reason_length"
        ),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        # The mails of a ticket (staff see them on it), and the per-ticket rate cap.
        sa.Index("ix_inbound_mails_ticket", "ticket_id", "received_at"),
        # New tickets per sender in the last hour (the per-sender cap): created rows only.
        sa.Index(
            "ix_inbound_mails_sender_created",
            "sender",
            "received_at",
            postgresql_where=CREATED,
            sqlite_where=CREATED,
        ),
        # The quarantine: few rows among many.
        sa.Index(
            "ix_inbound_mails_quarantined",
            "id",
            postgresql_where=QUARANTINED,
            sqlite_where=QUARANTINED,
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    source: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sender: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    subject: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    size: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    raw: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    outcome: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    ticket_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_inbound_mails_ticket", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    comment_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_inbound_mails_comment", ondelete="SET NULL"
            ),
            nullable=True,
        ),
    )
    received_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    processed_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
