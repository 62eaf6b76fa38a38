"""Saved views: a named set of list filters, search and order, kept per user.

`query` is the list's query string as the API and the list's address take it (so a view is
a bookmark the desk remembers); an admin may share a view with everyone.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import NAME_MAX_LENGTH
from ticket_app.models.columns import bounded_text, timestamp, utc_now

QUERY_MAX_LENGTH = 1000


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_views"
    __table_args__ = (
        *bounded_text("name", NAME_MAX_LENGTH),
        sa.CheckConstraint(f"length(query) <= {QUERY_MAX_LENGTH}", name="query_length"),
        sa.Index("ix_saved_views_owner", "owner_id"),
        sa.Index("ix_saved_views_shared", "shared"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_saved_views_owner", ondelete="CASCADE"),
            nullable=False,
        )
    )
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    query: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    shared: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


VIEWS = SavedView.__table__
sa.Index("ux_saved_views_owner_name", VIEWS.c.owner_id, sa.func.lower(VIEWS.c.name), unique=True)
