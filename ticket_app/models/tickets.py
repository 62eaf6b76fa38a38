"""The tickets table and the counter tables that database triggers keep in step with it.

Every rule of DESIGN.md's ticket table is a CHECK constraint. The migrations in
`alembic/versions` create the same schema (plus the search index and the count-keeping
triggers); a test checks the two agree.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Priority,
    Status,
)
from ticket_app.models.columns import (
    UTCDateTime,
    bounded_text,
    not_blank,
    one_of,
    timestamp,
    utc_now,
)

COUNT_SHARDS = 16
ASSIGNEE_COUNT_SHARDS = 4
SUGGESTION_OUTCOMES = ("none", "agreed", "changed")
# `sla_due_at` of a ticket with no running timer: past every real time, so the order `due` is
# one walk down one index (no NULLs in the keyset) and such tickets come last.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
SLA_WARN_SOON = sa.text("sla_warn_at IS NOT NULL")


def _text_rules() -> list[sa.CheckConstraint]:
    """Title and description rules; blank means nothing but whitespace."""
    return [
        *bounded_text("title", TITLE_MAX_LENGTH),
        sa.CheckConstraint(
            f"length(description) <= {DESCRIPTION_MAX_LENGTH}", name="description_length"
        ),
        *not_blank("description"),
    ]


def _user_reference(name: str) -> sa.Column[int]:
    return sa.Column(sa.Integer, sa.ForeignKey("users.id", name=f"fk_tickets_{name}"))


class Ticket(SQLModel, table=True):
    """A support ticket; enumerated fields hold the lowercase values of `domain`.

    `updated_at` moves on every change and every comment (it is the ticket's last activity);
    `version` moves on every write of the row and is the ETag. `comment_count` counts public
    replies and `note_count` internal notes (requesters only ever see the first).
    `created_by` is null for tickets older than sign-in; `merged_into_id` points at the
    ticket this one was merged into.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        *_text_rules(),
        sa.CheckConstraint(one_of("category", Category), name="category_valid"),
        sa.CheckConstraint(one_of("priority", Priority), name="priority_valid"),
        sa.CheckConstraint(one_of("status", Status), name="status_valid"),
        sa.CheckConstraint(
            "suggested_category IS NULL OR " + one_of("suggested_category", Category),
            name="suggested_category_valid",
        ),
        sa.CheckConstraint(
            "suggested_priority IS NULL OR " + one_of("suggested_priority", Priority),
            name="suggested_priority_valid",
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        sa.CheckConstraint("note_count >= 0", name="note_count_not_negative"),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"
        ),
        sa.Index("ix_tickets_created", "created_at", "id"),
        sa.Index("ix_tickets_status_created", "status", "created_at", "id"),
        sa.Index("ix_tickets_priority_created", "priority", "created_at", "id"),
        sa.Index("ix_tickets_category_created", "category", "created_at", "id"),
        sa.Index("ix_tickets_status_priority_created", "status", "priority", "created_at", "id"),
        sa.Index("ix_tickets_created_by_created", "created_by", "created_at", "id"),
        sa.Index("ix_tickets_assignee_created", "assignee_id", "created_at", "id"),
        sa.Index("ix_tickets_assignee_status_created", "assignee_id", "status", "created_at", "id"),
        sa.Index("ix_tickets_updated", "updated_at", "id"),
        sa.Index("ix_tickets_status_updated", "status", "updated_at", "id"),
        sa.CheckConstraint("sla_breached BETWEEN 0 AND 7", name="sla_breached_bits"),
        sa.CheckConstraint("sla_notified BETWEEN 0 AND 63", name="sla_notified_bits"),
        # Service levels (revision 0015): `sla=breached|due_soon` and `sort=due` walk these.
        sa.Index("ix_tickets_due", "sla_due_at", "id"),
        sa.Index("ix_tickets_assignee_due", "assignee_id", "sla_due_at", "id"),
        # The warning sweep: only tickets with a warning or breach still to tell.
        sa.Index(
            "ix_tickets_sla_warn",
            "sla_warn_at",
            "id",
            postgresql_where=SLA_WARN_SOON,
            sqlite_where=SLA_WARN_SOON,
        ),
        sa.Index(
            "ix_tickets_merged_into",
            "merged_into_id",
            postgresql_where=sa.text("merged_into_id IS NOT NULL"),
            sqlite_where=sa.text("merged_into_id IS NOT NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    category: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    priority: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: str = Field(
        default=Status.OPEN.value,
        sa_column=sa.Column(sa.Text, nullable=False, server_default=Status.OPEN.value),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    suggested_category: str | None = Field(
        default=None, sa_column=sa.Column(sa.Text, nullable=True)
    )
    suggested_priority: str | None = Field(
        default=None, sa_column=sa.Column(sa.Text, nullable=True)
    )
    created_by: int | None = Field(default=None, sa_column=_user_reference("created_by"))
    assignee_id: int | None = Field(default=None, sa_column=_user_reference("assignee"))
    version: int = Field(
        default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1")
    )
    comment_count: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    note_count: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    merged_into_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("tickets.id", name="fk_tickets_merged_into"), nullable=True
        ),
    )

    # Service levels, kept in step by services/sla.py in every write's transaction. The due
    # times are those of running timers (null: met, paused, stopped or no target);
    # `sla_due_at` is the earliest of them (NO_DUE when none runs). `sla_breached` and
    # `sla_notified` are bit sets (see services/sla.py); breached bits are never cleared.
    sla_policy_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    sla_terms_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("sla_terms.id", name="fk_tickets_sla_terms"), nullable=True
        ),
    )
    first_response_due_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    next_response_due_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    resolution_due_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    sla_paused: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    sla_breached: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    sla_notified: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    sla_due_at: datetime = Field(
        default=NO_DUE,
        sa_column=sa.Column(UTCDateTime, nullable=False, default=NO_DUE),
    )
    sla_warn_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class TicketCount(SQLModel, table=True):
    """How many tickets exist per value combination, kept in step by database triggers.

    Totals and stats read these few hundred rows instead of counting a million tickets.
    `shard` (ticket id modulo COUNT_SHARDS) spreads concurrent inserts over several rows so
    writers do not queue on one counter row. `suggestion` says whether the final category and
    priority agree with what the classifier proposed (`none` when nothing was proposed).
    `changes` only ever grows: its sum is a cheap revision number that tells live views
    something changed.
    """

    __tablename__ = "ticket_counts"

    shard: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    category: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    priority: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    status: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    suggestion: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    tickets: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    changes: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))


class AssigneeCount(SQLModel, table=True):
    """Tickets per assignee (0: nobody) and value combination, kept by the same triggers.

    Serves the totals of lists filtered by assignee and the dashboard's open tickets per
    assignee without counting tickets. Keyed status first, so "open, per assignee" and
    "this assignee's open tickets" are both a short index range.
    """

    __tablename__ = "assignee_counts"

    status: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    assignee_key: int = Field(
        sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    )
    category: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    priority: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    shard: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    tickets: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
