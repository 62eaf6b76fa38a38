"""The tables, as plain SQLModel classes.

Every rule of DESIGN.md's ticket table lives in the database as a CHECK constraint, so a raw
INSERT that bypasses Python is refused too. The migration in `alembic/versions` creates the
same schema (plus the search index and the count-keeping triggers); a test checks the two agree.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from ticket_app.domain import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Priority,
    Status,
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that always comes back in UTC.

    PostgreSQL stores `timestamptz`; SQLite has no such type and would return naive values,
    so the offset is normalised on the way in and re-attached on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: type[Category] | type[Priority] | type[Status]) -> str:
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"


WHITESPACE_TRIM = {
    # trim() alone strips spaces only; a tab- or newline-only title must count as blank too.
    "postgresql": "length(btrim({column}, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim({column}, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def _not_blank(column: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(sql.format(column=column), name=f"{column}_not_blank").ddl_if(
            dialect=dialect
        )
        for dialect, sql in WHITESPACE_TRIM.items()
    ]


def _text_rules() -> list[sa.CheckConstraint]:
    """Title and description rules; blank means nothing but whitespace."""
    return [
        sa.CheckConstraint(f"length(title) BETWEEN 1 AND {TITLE_MAX_LENGTH}", name="title_length"),
        *_not_blank("title"),
        sa.CheckConstraint(
            f"length(description) <= {DESCRIPTION_MAX_LENGTH}", name="description_length"
        ),
        *_not_blank("description"),
    ]


class Ticket(SQLModel, table=True):
    """A support ticket; enumerated fields hold the lowercase values of `domain`."""

    __tablename__ = "tickets"
    __table_args__ = (
        *_text_rules(),
        sa.CheckConstraint(_in("category", Category), name="category_valid"),
        sa.CheckConstraint(_in("priority", Priority), name="priority_valid"),
        sa.CheckConstraint(_in("status", Status), name="status_valid"),
        sa.CheckConstraint(
            "suggested_category IS NULL OR " + _in("suggested_category", Category),
            name="suggested_category_valid",
        ),
        sa.CheckConstraint(
            "suggested_priority IS NULL OR " + _in("suggested_priority", Priority),
            name="suggested_priority_valid",
        ),
        sa.Index("ix_tickets_created", "created_at", "id"),
        sa.Index("ix_tickets_status_created", "status", "created_at", "id"),
        sa.Index("ix_tickets_priority_created", "priority", "created_at", "id"),
        sa.Index("ix_tickets_category_created", "category", "created_at", "id"),
        sa.Index("ix_tickets_status_priority_created", "status", "priority", "created_at", "id"),
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
    created_at: datetime = Field(
        default_factory=utc_now,
        sa_column=sa.Column(UTCDateTime, nullable=False, server_default=sa.func.now()),
    )
    updated_at: datetime = Field(
        default_factory=utc_now,
        sa_column=sa.Column(UTCDateTime, nullable=False, server_default=sa.func.now()),
    )
    suggested_category: str | None = Field(
        default=None, sa_column=sa.Column(sa.Text, nullable=True)
    )
    suggested_priority: str | None = Field(
        default=None, sa_column=sa.Column(sa.Text, nullable=True)
    )


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


COUNT_SHARDS = 16
SUGGESTION_OUTCOMES = ("none", "agreed", "changed")
