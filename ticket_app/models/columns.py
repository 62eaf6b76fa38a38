"""Column types and CHECK-constraint builders shared by every table.

The rules of DESIGN.md live in the database, so a raw INSERT that bypasses Python is refused
too; these helpers write each kind of rule once for both dialects.
"""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


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


def one_of(column: str, values: type[StrEnum]) -> str:
    """SQL for `column IN ('a', 'b', ...)` over an enum's values."""
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"


WHITESPACE_TRIM = {
    # trim() alone strips spaces only; a tab- or newline-only text must count as blank too.
    "postgresql": "length(btrim({column}, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim({column}, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def not_blank(column: str, name: str | None = None) -> list[sa.CheckConstraint]:
    """`column` holds something other than whitespace, in each dialect's own words."""
    return [
        sa.CheckConstraint(sql.format(column=column), name=name or f"{column}_not_blank").ddl_if(
            dialect=dialect
        )
        for dialect, sql in WHITESPACE_TRIM.items()
    ]


def bounded_text(column: str, maximum: int, minimum: int = 1) -> list[sa.CheckConstraint]:
    """A required text of `minimum`..`maximum` characters that is not blank."""
    return [
        sa.CheckConstraint(
            f"length({column}) BETWEEN {minimum} AND {maximum}", name=f"{column}_length"
        ),
        *not_blank(column),
    ]


def timestamp(nullable: bool = False, server_default: bool = True) -> sa.Column[datetime]:
    """A UTC timestamp column; required ones default to the server's clock."""
    return sa.Column(
        UTCDateTime,
        nullable=nullable,
        server_default=sa.func.now() if server_default and not nullable else None,
    )
