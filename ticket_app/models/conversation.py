"""What happens on a ticket: the comments (public replies and internal notes) and the
append-only history of every change, written in the same transaction as the change.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import COMMENT_MAX_LENGTH, HistoryKind
from ticket_app.models.columns import bounded_text, one_of, timestamp, utc_now

HISTORY_FIELDS = ("title", "description", "category", "priority", "status", "assignee")


def _ticket_reference(table: str) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("tickets.id", name=f"fk_{table}_ticket", ondelete="CASCADE"),
        nullable=False,
    )


class TicketComment(SQLModel, table=True):
    """A reply the requester sees (`public`) or an internal note for agents only.

    `origin_ticket_id` is set on comments that came with a merged ticket: they are shown in
    the ticket they were merged into, marked as coming from their origin.
    """

    __tablename__ = "ticket_comments"
    __table_args__ = (
        *bounded_text("body", COMMENT_MAX_LENGTH),
        sa.Index("ix_ticket_comments_ticket", "ticket_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=_ticket_reference("ticket_comments"))
    author_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("users.id", name="fk_ticket_comments_author"), nullable=False
        )
    )
    public: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    origin_ticket_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_comments_origin", ondelete="SET NULL"),
            nullable=True,
        ),
    )


class TicketHistory(SQLModel, table=True):
    """One thing that happened to a ticket, by whom (a user, and the API token if one was
    used; neither for the system), and when. Rows are never updated (a trigger refuses it);
    they go only with their ticket.

    `field`/`old_value`/`new_value` describe a change; `created` entries hold what the
    classifier suggested (old) and what was kept (new) as `category/priority`; `commented`
    entries point at their comment. `public` says whether the requester may see the entry.
    """

    __tablename__ = "ticket_history"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", HistoryKind), name="kind_valid"),
        sa.CheckConstraint(
            "field IS NULL OR field IN (" + ", ".join(f"'{f}'" for f in HISTORY_FIELDS) + ")",
            name="field_valid",
        ),
        sa.Index("ix_ticket_history_ticket", "ticket_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=_ticket_reference("ticket_history"))
    actor_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("users.id", name="fk_ticket_history_actor"), nullable=True
        ),
    )
    token_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_ticket_history_token"),
            nullable=True,
        ),
    )
    kind: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    field: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    old_value: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    comment_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey(
                "ticket_comments.id", name="fk_ticket_history_comment", ondelete="CASCADE"
            ),
            nullable=True,
        ),
    )
    public: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class TicketParticipant(SQLModel, table=True):
    """Someone besides its requester who reads a ticket and replies to it publicly (never its
    internal notes): the requester of a ticket merged into it, when the agent who merged
    confirmed sharing the two conversations. `merged_from_id` is that merged ticket (null once
    it is deleted). Participants reach the ticket by its link, not through lists.
    """

    __tablename__ = "ticket_participants"
    __table_args__ = (
        sa.CheckConstraint("merged_from_id IS NULL OR merged_from_id <> ticket_id", "not_self"),
    )

    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_participants_ticket", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_ticket_participants_user"),
            primary_key=True,
        )
    )
    merged_from_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_ticket_participants_merged", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    added_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
