"""Service levels: business-hours calendars, policies, and the immutable terms tickets keep.

A policy's targets and its calendar can change; a ticket keeps the terms in force when it was
opened (DESIGN: a change applies to tickets opened after it). So every write of a policy (or
of a calendar a policy uses) closes the policy's current `sla_terms` row (`valid_to`) and adds
a new one holding the targets and a copy of the calendar's definition; terms rows are never
changed otherwise, and a ticket's timers are replayed from its history with its terms alone.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import Category, Priority
from ticket_app.models.columns import bounded_text, one_of, timestamp, utc_now

# At most a year of business minutes per target (365 days of 24 hours).
TARGET_MAX_MINUTES = 525_600
TARGET_COLUMNS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
DEFAULT = sa.text("is_default")


def _targets() -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(
            f"{name} IS NULL OR {name} BETWEEN 0 AND {TARGET_MAX_MINUTES}", name=f"{name}_range"
        )
        for name in TARGET_COLUMNS
    ]


def _minutes() -> sa.Column[int]:
    return sa.Column(sa.Integer, nullable=True)


class SlaCalendar(SQLModel, table=True):
    """Business hours: a time zone, weekly ranges (`hours`, JSON: {"mon": [["09:00",
    "17:00"]], ...}), the public holidays of `holiday_country` (and `holiday_region`) from the
    `holidays` package, and the desk's own closed dates (`own_holidays`, JSON list of
    {"date", "name"}). Exactly one is the default (a partial unique index)."""

    __tablename__ = "sla_calendars"
    __table_args__ = (
        *bounded_text("name", 100),
        sa.CheckConstraint("length(time_zone) BETWEEN 1 AND 64", name="time_zone_length"),
        sa.Index(
            "ix_sla_calendars_default",
            "is_default",
            unique=True,
            postgresql_where=DEFAULT,
            sqlite_where=DEFAULT,
        ),
        sa.Index("ix_sla_calendars_name", "name", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    time_zone: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    hours: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    holiday_country: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    holiday_region: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    own_holidays: str = Field(sa_column=sa.Column(sa.Text, nullable=False, server_default="[]"))
    is_default: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class SlaPolicy(SQLModel, table=True):
    """Targets for one priority (and optionally one category; the narrower policy wins), in
    business minutes on a calendar; null means no target. `terms_id` is its current terms."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        sa.CheckConstraint(one_of("priority", Priority), name="priority_valid"),
        sa.CheckConstraint(
            "category IS NULL OR " + one_of("category", Category), name="category_valid"
        ),
        *_targets(),
        sa.Index(
            "ix_sla_policies_scope", "priority", sa.text("coalesce(category, '')"), unique=True
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    priority: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    category: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    calendar_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("sla_calendars.id", name="fk_sla_policies_calendar"),
            nullable=False,
        )
    )
    first_response_minutes: int | None = Field(default=None, sa_column=_minutes())
    next_response_minutes: int | None = Field(default=None, sa_column=_minutes())
    resolution_minutes: int | None = Field(default=None, sa_column=_minutes())
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class SlaTerms(SQLModel, table=True):
    """A policy as it stood from `valid_from` until `valid_to` (null: still in force), with a
    copy of its calendar's definition (`calendar`, JSON). Never changed but for `valid_to`,
    never deleted: tickets opened under it keep it. `policy_id` is kept as a plain number
    (no foreign key) so deleting a policy leaves its terms and tickets as they were."""

    __tablename__ = "sla_terms"
    __table_args__ = (
        sa.CheckConstraint(one_of("priority", Priority), name="priority_valid"),
        sa.CheckConstraint(
            "category IS NULL OR " + one_of("category", Category), name="category_valid"
        ),
        *_targets(),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_in_order"),
        # A ticket's terms: the ones in force for its priority when it was opened.
        sa.Index("ix_sla_terms_priority", "priority", "valid_from"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    priority: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    category: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    calendar_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    calendar: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    first_response_minutes: int | None = Field(default=None, sa_column=_minutes())
    next_response_minutes: int | None = Field(default=None, sa_column=_minutes())
    resolution_minutes: int | None = Field(default=None, sa_column=_minutes())
    valid_from: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    valid_to: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class SlaOutcome(SQLModel, table=True):
    """How many targets were met in time or breached, per day (UTC), priority, target and
    business minutes used (`bucket`: rounded to two significant figures). The dashboard's
    30-day shares and median time to first response read these few rows instead of tickets;
    services/sla.py adds to them in the write that meets a target."""

    __tablename__ = "sla_outcomes"
    __table_args__ = (
        sa.CheckConstraint(one_of("priority", Priority), name="priority_valid"),
        sa.CheckConstraint(
            "target IN ('first_response', 'next_response', 'resolution')", name="target_valid"
        ),
        sa.CheckConstraint("met >= 0 AND breached >= 0 AND bucket >= 0", name="counts_valid"),
    )

    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True))
    priority: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    target: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    bucket: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    met: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    breached: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
