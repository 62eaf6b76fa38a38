"""Reply assistance: canned replies (and macros), the drafts the desk suggested with what
became of them, and per-version summaries of long conversations.

`reply_drafts` keeps each suggestion so feedback (helpful or not) and the share of it that
survived into the reply sent can be recorded against it; `draft_totals` holds the running sums
the dashboard reads (one row, updated in the same transaction), so no page counts drafts.
`ticket_summaries` holds one summary per ticket with the ticket version it was made from: a
page load reads it, and only a newer version makes a new one.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH, Priority, Status
from ticket_app.models.columns import bounded_text, one_of, timestamp, utc_now

DRAFT_SOURCES = ("gemini", "local")
DRAFT_MAX_LENGTH = 8000
SUMMARY_MAX_LENGTH = 4000


def _user(table: str, name: str, ondelete: str | None = None, nullable: bool = False) -> sa.Column:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_{name}", ondelete=ondelete),
        nullable=nullable,
    )


def _ticket(table: str) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("tickets.id", name=f"fk_{table}_ticket", ondelete="CASCADE"),
        nullable=False,
    )


class CannedReply(SQLModel, table=True):
    """A saved answer with `{{placeholders}}`; with any action set, a macro that also changes
    the ticket it is inserted into. `shared` ones (made by admins) are offered to all staff."""

    __tablename__ = "canned_replies"
    __table_args__ = (
        *bounded_text("name", NAME_MAX_LENGTH),
        *bounded_text("body", COMMENT_MAX_LENGTH),
        sa.CheckConstraint(
            "action_status IS NULL OR " + one_of("action_status", Status), name="status_valid"
        ),
        sa.CheckConstraint(
            "action_priority IS NULL OR " + one_of("action_priority", Priority),
            name="priority_valid",
        ),
        sa.Index("ix_canned_replies_owner", "owner_id"),
        sa.Index("ix_canned_replies_shared", "shared"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=_user("canned_replies", "owner", "CASCADE"))
    shared: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    action_status: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    action_priority: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    action_assignee_id: int | None = Field(
        default=None, sa_column=_user("canned_replies", "assignee", "SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


CANNED = CannedReply.__table__
sa.Index(
    "ux_canned_replies_owner_name", CANNED.c.owner_id, sa.func.lower(CANNED.c.name), unique=True
)


class ReplyDraft(SQLModel, table=True):
    """A reply the desk suggested to `author_id` on a ticket (never sent by itself).

    `sources` is the JSON list of what it drew on; `helpful` is the agent's verdict (null: none
    given); `kept` is the share of its words found in the reply the agent then sent
    (`comment_id`), null until one is sent.
    """

    __tablename__ = "reply_drafts"
    __table_args__ = (
        sa.CheckConstraint(f"length(body) <= {DRAFT_MAX_LENGTH}", name="body_length"),
        sa.CheckConstraint(
            "source IN (" + ", ".join(f"'{s}'" for s in DRAFT_SOURCES) + ")", name="source_valid"
        ),
        sa.CheckConstraint("kept IS NULL OR (kept >= 0 AND kept <= 1)", name="kept_in_range"),
        sa.Index("ix_reply_drafts_ticket", "ticket_id", "author_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=_ticket("reply_drafts"))
    author_id: int = Field(sa_column=_user("reply_drafts", "author"))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sources: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    source: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    used_fallback: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    helpful: bool | None = Field(default=None, sa_column=sa.Column(sa.Boolean, nullable=True))
    kept: float | None = Field(default=None, sa_column=sa.Column(sa.REAL, nullable=True))
    comment_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_reply_drafts_comment", ondelete="SET NULL"
            ),
            nullable=True,
        ),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class DraftTotals(SQLModel, table=True):
    """Running sums over every draft, for the dashboard (one row, id 1)."""

    __tablename__ = "draft_totals"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    drafts: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    helpful: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    not_helpful: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    sent: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    kept_sum: float = Field(default=0.0, sa_column=sa.Column(sa.Float, nullable=False))


class TicketSummary(SQLModel, table=True):
    """The summary of a ticket's public conversation as of ticket `version`."""

    __tablename__ = "ticket_summaries"
    __table_args__ = (
        sa.CheckConstraint(f"length(summary) <= {SUMMARY_MAX_LENGTH}", name="summary_length"),
        sa.CheckConstraint(
            "source IN (" + ", ".join(f"'{s}'" for s in DRAFT_SOURCES) + ")", name="source_valid"
        ),
    )

    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_summaries_ticket", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    version: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    summary: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    source: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
