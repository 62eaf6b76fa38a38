"""Notifications and outgoing mail: the outbox, in-app notifications, preferences per kind,
the Message-ID map, one-use sign-in links, the bounced flag on users, and a `notices` desk
counter (reading notifications moves the live pages' revision, so no bell is shared stale).

Written by hand like the others (see `ticket_app/models/mail.py` for why each table is there).
Every rule is a CHECK, so a raw INSERT that bypasses the services is refused too; every query
the services make has its index: the sender's claim (a partial index over due rows only, so
millions of sent mails cost it nothing), the admins' list per state, a ticket's earlier mails
to one recipient, a person's unread notifications, the staff among the users and the few
users whose mail bounced.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'ticket_received', 'public_reply', 'ticket_resolved', 'assigned', 'requester_replied', "
    "'mentioned', 'new_unassigned'"
)
DUE = sa.text("state IN ('queued', 'sending')")
UNREAD = sa.text("read_at IS NULL")
COUNTERS = sa.table("desk_counters", sa.column("name", sa.Text), sa.column("value", sa.BigInteger))


def _timestamp(name: str, required: bool = True, default: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required and default else None,
    )


def _user(table: str, column: str = "user_id", name: str = "user") -> sa.Column:
    return sa.Column(
        column,
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_{name}", ondelete="CASCADE"),
        nullable=False,
    )


def _ticket(table: str, ondelete: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        "ticket_id",
        sa.Integer,
        sa.ForeignKey("tickets.id", name=f"fk_{table}_ticket", ondelete=ondelete),
        nullable=nullable,
    )


def _comment(table: str) -> sa.Column:
    return sa.Column(
        "comment_id",
        sa.Integer,
        sa.ForeignKey("ticket_comments.id", name=f"fk_{table}_comment", ondelete="SET NULL"),
        nullable=True,
    )


def _outbox() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        _ticket("mail_outbox", "SET NULL"),
        _comment("mail_outbox"),
        _user("mail_outbox", "recipient_id", "recipient"),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("in_reply_to", sa.Text, nullable=True),
        sa.Column("thread_references", sa.Text, nullable=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("unsubscribe_url", sa.Text, nullable=True),
        sa.Column("link_marker", sa.Text, nullable=True),
        sa.Column("link_path", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _timestamp("next_try_at", required=False),
        sa.Column("claim", sa.Text, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        _timestamp("created_at"),
        _timestamp("sent_at", required=False),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", "state_valid"),
        sa.CheckConstraint(f"kind IN ({KINDS}, 'signin_link')", "kind_valid"),
        sa.CheckConstraint("attempts >= 0", "attempts_not_negative"),
        sa.CheckConstraint(
            "(state IN ('queued', 'sending')) = (next_try_at IS NOT NULL)", "due_has_time"
        ),
        sa.CheckConstraint("(state = 'sending') = (claim IS NOT NULL)", "sending_is_claimed"),
        sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", "sent_has_time"),
        sa.CheckConstraint("state <> 'failed' OR last_error IS NOT NULL", "failed_has_error"),
        sa.CheckConstraint("length(recipient) BETWEEN 3 AND 254", "recipient_length"),
        sa.CheckConstraint("length(subject) BETWEEN 1 AND 300", "subject_length"),
        sa.CheckConstraint("length(message_id) BETWEEN 5 AND 250", "message_id_length"),
        sa.CheckConstraint("(link_marker IS NULL) = (link_path IS NULL)", "link_marker_with_path"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_mail_outbox_due",
        "mail_outbox",
        ["next_try_at", "id"],
        postgresql_where=DUE,
        sqlite_where=DUE,
    )
    op.create_index("ix_mail_outbox_state", "mail_outbox", ["state", "id"])
    op.create_index("ix_mail_outbox_thread", "mail_outbox", ["ticket_id", "recipient_id", "id"])
    op.create_index("ix_mail_outbox_recipient", "mail_outbox", ["recipient_id", "id"])


def _notifications() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        _user("notifications"),
        sa.Column("kind", sa.Text, nullable=False),
        _ticket("notifications", "CASCADE"),
        _comment("notifications"),
        sa.Column(
            "actor_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_notifications_actor", ondelete="SET NULL"),
            nullable=True,
        ),
        _timestamp("created_at"),
        _timestamp("read_at", required=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", "kind_valid"),
        sa.CheckConstraint("read_at IS NULL OR read_at >= created_at", "read_after_created"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "id"])
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["user_id", "id"],
        postgresql_where=UNREAD,
        sqlite_where=UNREAD,
    )
    op.create_index(
        "ix_notifications_unread_ticket",
        "notifications",
        ["user_id", "ticket_id"],
        postgresql_where=UNREAD,
        sqlite_where=UNREAD,
    )
    op.create_index("ix_notifications_ticket", "notifications", ["ticket_id"])
    op.create_table(
        "notification_preferences",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_notification_preferences_user", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", "kind_valid"),
        sa.CheckConstraint("channel IN ('mail', 'in_app', 'both', 'none')", "channel_valid"),
    )
    op.create_index(
        "ix_notification_preferences_kind", "notification_preferences", ["kind", "user_id"]
    )


def _threads_and_links() -> None:
    op.create_table(
        "mail_message_ids",
        sa.Column("message_id", sa.Text, primary_key=True),
        _ticket("mail_message_ids", "CASCADE", nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint("length(message_id) BETWEEN 3 AND 250", "message_id_length"),
    )
    op.create_index("ix_mail_message_ids_ticket", "mail_message_ids", ["ticket_id"])
    op.create_table(
        "signin_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        _user("signin_links"),
        sa.Column("target", sa.Text, nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at", default=False),
        _timestamp("used_at", required=False),
        sa.CheckConstraint("length(token_hash) = 64", "signin_links_token_hash_length"),
        sa.CheckConstraint("expires_at > created_at", "expires_after_created"),
        sa.CheckConstraint("target LIKE '/%'", "target_is_a_path"),
    )
    op.create_index("ix_signin_links_user", "signin_links", ["user_id"])
    op.create_index("ix_signin_links_expires", "signin_links", ["expires_at"])


def upgrade() -> None:
    op.add_column("users", _timestamp("mail_bounced_at", required=False))
    op.create_index("ix_users_role", "users", ["role", "id"])
    bounced = sa.text("mail_bounced_at IS NOT NULL")
    op.create_index(
        "ix_users_mail_bounced", "users", ["id"], postgresql_where=bounced, sqlite_where=bounced
    )
    _outbox()
    _notifications()
    _threads_and_links()
    op.bulk_insert(COUNTERS, [{"name": "notices", "value": 0}])


def downgrade() -> None:
    op.execute(COUNTERS.delete().where(COUNTERS.c.name == "notices"))
    for table in (
        "signin_links",
        "mail_message_ids",
        "notification_preferences",
        "notifications",
        "mail_outbox",
    ):
        op.drop_table(table)
    op.drop_index("ix_users_mail_bounced", "users")
    op.drop_index("ix_users_role", "users")
    # A plain column: SQLite (3.35+) drops it in place, without rebuilding `users`.
    op.execute("ALTER TABLE users DROP COLUMN mail_bounced_at")
