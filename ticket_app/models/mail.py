"""Notifications and outgoing mail: the outbox, in-app notifications, each person's choice of
channel per kind, the Message-ID map that threads mail to tickets, and one-use sign-in links.

The outbox is transactional: a mail row is written in the same transaction as the event that
causes it, so a crash loses no mail and a rolled-back event sends none; the sender (see
`ticket_app.mail.sender`) works it afterwards. Its states and their rules are CHECKs:

- `queued`: waits for `next_try_at`; `sending`: claimed by a sender until `next_try_at` (its
  lease; a sender that died leaves the row to be claimed again after it), under `claim`;
- `sent` has `sent_at`; `failed` (a permanent refusal, or out of attempts) has `last_error`.

A mail keeps its rendered parts (subject, text, HTML) as they were when the event happened; a
requester's sign-in link is the one thing rendered at sending time (`link_marker` stands in its
place), so no usable link is ever stored and none expires while the mail waits in the queue.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import EMAIL_MAX_LENGTH
from ticket_app.models.columns import one_of, timestamp, utc_now


class NotificationKind(StrEnum):
    """What a notification tells; each person chooses a channel per kind."""

    TICKET_RECEIVED = "ticket_received"  # requester: their ticket was filed
    PUBLIC_REPLY = "public_reply"  # requester, participants: an agent replied
    TICKET_RESOLVED = "ticket_resolved"  # requester, participants
    ASSIGNED = "assigned"  # agent: a ticket was assigned to them
    REQUESTER_REPLIED = "requester_replied"  # agent: on a ticket assigned to them
    MENTIONED = "mentioned"  # agent: @mentioned in an internal note
    NEW_UNASSIGNED = "new_unassigned"  # agent, when chosen: every new unassigned ticket
    SLA_WARNING = "sla_warning"  # assignee (admins when unassigned): a target nearly due / due


class MailKind(StrEnum):
    """What a mail is: a notification of one of the kinds above, or a sign-in link."""

    TICKET_RECEIVED = "ticket_received"
    PUBLIC_REPLY = "public_reply"
    TICKET_RESOLVED = "ticket_resolved"
    ASSIGNED = "assigned"
    REQUESTER_REPLIED = "requester_replied"
    MENTIONED = "mentioned"
    NEW_UNASSIGNED = "new_unassigned"
    SLA_WARNING = "sla_warning"
    SIGNIN_LINK = "signin_link"


class Channel(StrEnum):
    MAIL = "mail"
    IN_APP = "in_app"
    BOTH = "both"
    NONE = "none"


class MailState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


SUBJECT_MAX_LENGTH = 300
MESSAGE_ID_MAX_LENGTH = 250
DUE = sa.text("state IN ('queued', 'sending')")
UNREAD = sa.text("read_at IS NULL")


def _user(table: str, name: str = "user", nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_{name}", ondelete="CASCADE"),
        nullable=nullable,
    )


def _ticket(table: str, ondelete: str) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("tickets.id", name=f"fk_{table}_ticket", ondelete=ondelete),
        nullable=True,
    )


def _comment(table: str) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("ticket_comments.id", name=f"fk_{table}_comment", ondelete="SET NULL"),
        nullable=True,
    )


class OutboxMail(SQLModel, table=True):
    """One mail to one recipient, from the event that caused it (`kind`, ticket, comment)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint(one_of("state", MailState), name="state_valid"),
        sa.CheckConstraint(one_of("kind", MailKind), name="kind_valid"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint(
            "(state IN ('queued', 'sending')) = (next_try_at IS NOT NULL)", name="due_has_time"
        ),
        sa.CheckConstraint("(state = 'sending') = (claim IS NOT NULL)", name="sending_is_claimed"),
        sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
        sa.CheckConstraint("state <> 'failed' OR last_error IS NOT NULL", name="failed_has_error"),
        sa.CheckConstraint(
            f"length(recipient) BETWEEN 3 AND {EMAIL_MAX_LENGTH}", name="recipient_length"
        ),
        sa.CheckConstraint(
            f"length(subject) BETWEEN 1 AND {SUBJECT_MAX_LENGTH}", name="subject_length"
        ),
        sa.CheckConstraint(
            f"length(message_id) BETWEEN 5 AND {MESSAGE_ID_MAX_LENGTH}", name="message_id_length"
        ),
        sa.CheckConstraint(
            "(link_marker IS NULL) = (link_path IS NULL)", name="link_marker_with_path"
        ),
        # The sender's claim: due rows in order of their time, sent and failed ones left out.
        sa.Index("ix_mail_outbox_due", "next_try_at", "id", postgresql_where=DUE, sqlite_where=DUE),
        # The admins' list per state, newest first, and the health check's oldest queued mail.
        sa.Index("ix_mail_outbox_state", "state", "id"),
        # Threading: the earlier mails of a ticket to one recipient.
        sa.Index("ix_mail_outbox_thread", "ticket_id", "recipient_id", "id"),
        sa.Index("ix_mail_outbox_recipient", "recipient_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    ticket_id: int | None = Field(default=None, sa_column=_ticket("mail_outbox", "SET NULL"))
    comment_id: int | None = Field(default=None, sa_column=_comment("mail_outbox"))
    recipient_id: int = Field(sa_column=_user("mail_outbox", "recipient"))
    recipient: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    message_id: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    in_reply_to: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    thread_references: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    subject: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body_html: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    unsubscribe_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    link_marker: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    link_path: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    attempts: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    next_try_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    claim: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    sent_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class Notification(SQLModel, table=True):
    """An in-app notification: the bell lists a person's unread ones, each with its ticket."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", NotificationKind), name="kind_valid"),
        sa.CheckConstraint("read_at IS NULL OR read_at >= created_at", name="read_after_created"),
        sa.Index("ix_notifications_user", "user_id", "id"),
        sa.Index(
            "ix_notifications_unread", "user_id", "id", postgresql_where=UNREAD, sqlite_where=UNREAD
        ),
        sa.Index(
            "ix_notifications_unread_ticket",
            "user_id",
            "ticket_id",
            postgresql_where=UNREAD,
            sqlite_where=UNREAD,
        ),
        sa.Index("ix_notifications_ticket", "ticket_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user("notifications"))
    kind: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    ticket_id: int | None = Field(default=None, sa_column=_ticket("notifications", "CASCADE"))
    comment_id: int | None = Field(default=None, sa_column=_comment("notifications"))
    actor_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_notifications_actor", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    read_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class NotificationPreference(SQLModel, table=True):
    """A person's channel for one kind; without a row the kind's default applies."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", NotificationKind), name="kind_valid"),
        sa.CheckConstraint(one_of("channel", Channel), name="channel_valid"),
        # Who chose a kind that is off by default (every new unassigned ticket).
        sa.Index("ix_notification_preferences_kind", "kind", "user_id"),
    )

    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_notification_preferences_user", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    kind: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    channel: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


class MailMessageId(SQLModel, table=True):
    """Which ticket a Message-ID belongs to: the desk's own (also traceable by their
    signature) and, once mail comes in, the ones other mail clients made up."""

    __tablename__ = "mail_message_ids"
    __table_args__ = (
        sa.CheckConstraint(
            f"length(message_id) BETWEEN 3 AND {MESSAGE_ID_MAX_LENGTH}", name="message_id_length"
        ),
        sa.Index("ix_mail_message_ids_ticket", "ticket_id"),
    )

    message_id: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_mail_message_ids_ticket", ondelete="CASCADE"),
            nullable=False,
        )
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class SignInLink(SQLModel, table=True):
    """A one-use sign-in link for a requester: the digest of its token (the token itself is
    only ever in the mail), whom it signs in, where it leads, and when it was spent."""

    __tablename__ = "signin_links"
    __table_args__ = (
        sa.CheckConstraint("length(token_hash) = 64", name="signin_links_token_hash_length"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
        sa.CheckConstraint("target LIKE '/%'", name="target_is_a_path"),
        sa.Index("ix_signin_links_user", "user_id"),
        sa.Index("ix_signin_links_expires", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    user_id: int = Field(sa_column=_user("signin_links"))
    target: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=timestamp(server_default=False))
    used_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
