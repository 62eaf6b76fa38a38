"""Business-hours calendars (admins): a time zone, weekly hours, public holidays of a country
or region (the `holidays` package) and the desk's own closed dates.

One calendar is the default (created on first need: "Business hours", UTC, Monday to Friday
09:00-17:00, no holidays); admins add more and point policies at them. A calendar's definition
is copied into each policy's terms, so changing a calendar re-issues the terms of the policies
on it (`sla_policies.reissue`): like a policy change, it applies to tickets opened after it.
A calendar with no open hours in the week is refused, as is one a policy still uses on delete.
"""

import json
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ticket_app.models import SlaCalendar, SlaPolicy, utc_now
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import InvalidInput, NotFound
from ticket_app.services.schemas import Timestamp, validated
from ticket_app.services.transaction import transaction
from ticket_app.sla import clock

CALENDARS = SlaCalendar.__table__
POLICIES = SlaPolicy.__table__
DEFAULT_NAME = "Business hours"
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in clock.DAYS[:5]}
OWN_HOLIDAYS_MAX = 500


class OwnHoliday(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    name: str = Field(min_length=1, max_length=100)


class CalendarData(BaseModel):
    """A calendar as admins write it; every field checked, each error naming its field."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    time_zone: str = Field(default="UTC", description="An IANA zone, like Europe/Berlin")
    hours: dict[str, list[list[str]]] = Field(
        default_factory=lambda: dict(WEEKDAYS_9_TO_5),
        description='Local ranges per day: {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}',
    )
    holiday_country: str | None = Field(
        default=None, description="ISO 3166 code whose public holidays are closed, like DE"
    )
    holiday_region: str | None = Field(
        default=None, description="A subdivision of the country, like BY (Bavaria)"
    )
    own_holidays: list[OwnHoliday] = Field(default_factory=list, max_length=OWN_HOLIDAYS_MAX)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value not in _zones():
            raise ValueError(f"{value!r} is not a time zone name like Europe/Berlin or UTC")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        week = clock.parse_hours(value)
        if not any(week):
            raise ValueError("a calendar needs at least one open range in the week")
        return clock.format_hours(week)

    def checked(self) -> "CalendarData":
        """The country and region checked together (the region belongs to the country)."""
        if self.holiday_country is None:
            if self.holiday_region is not None:
                raise InvalidInput.single("holiday_region", "needs a holiday_country")
            return self
        country = self.holiday_country.upper()
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise InvalidInput.single(
                "holiday_country", f"{self.holiday_country!r} is not a supported country code"
            )
        region = self.holiday_region.upper() if self.holiday_region else None
        if region is not None and region not in supported[country]:
            raise InvalidInput.single(
                "holiday_region", f"{self.holiday_region!r} is not a region of {country}"
            )
        return self.model_copy(update={"holiday_country": country, "holiday_region": region})


class CalendarRead(CalendarData):
    id: int
    is_default: bool
    created_at: Timestamp
    updated_at: Timestamp


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def definition(row: Any) -> str:
    """The calendar's definition as the JSON its policies' terms keep."""
    return json.dumps(
        {
            "time_zone": row.time_zone,
            "hours": json.loads(row.hours),
            "holiday_country": row.holiday_country,
            "holiday_region": row.holiday_region,
            "own_holidays": json.loads(row.own_holidays),
        },
        sort_keys=True,
    )


@lru_cache(maxsize=256)
def build(text: str) -> clock.Calendar:
    """A `clock.Calendar` from a definition (terms never change, so this is cached)."""
    spec = json.loads(text)
    own = {date.fromisoformat(item["date"]): item["name"] for item in spec["own_holidays"]}
    public: dict[date, str] | holidays.HolidayBase = {}
    if spec["holiday_country"]:
        public = holidays.country_holidays(spec["holiday_country"], subdiv=spec["holiday_region"])

    def holiday(day: date) -> str | None:
        name = own.get(day) or public.get(day)
        return str(name) if name else None

    try:
        zone = ZoneInfo(spec["time_zone"])
    except ZoneInfoNotFoundError:  # pragma: no cover - checked when written
        zone = ZoneInfo("UTC")
    return clock.Calendar(zone, clock.parse_hours(spec["hours"]), holiday)


def _read(row: Any) -> CalendarRead:
    return CalendarRead(
        id=row.id,
        name=row.name,
        time_zone=row.time_zone,
        hours=json.loads(row.hours),
        holiday_country=row.holiday_country,
        holiday_region=row.holiday_region,
        own_holidays=[OwnHoliday(**item) for item in json.loads(row.own_holidays)],
        is_default=row.is_default,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(data: CalendarData) -> dict[str, Any]:
    return {
        "name": data.name.strip(),
        "time_zone": data.time_zone,
        "hours": json.dumps(data.hours, sort_keys=True),
        "holiday_country": data.holiday_country,
        "holiday_region": data.holiday_region,
        "own_holidays": json.dumps(
            [{"date": item.date.isoformat(), "name": item.name} for item in data.own_holidays]
        ),
    }


def validate(data: dict[str, Any]) -> CalendarData:
    return validated(CalendarData, data).checked()


def default_id(connection: Connection) -> int:
    """The default calendar's id, creating it on first need (concurrent first needs agree:
    the partial unique index lets one insert win)."""
    found = connection.execute(
        sa.select(CALENDARS.c.id).where(CALENDARS.c.is_default.is_(True))
    ).scalar()
    if found is not None:
        return int(found)
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    values = _values(CalendarData(name=DEFAULT_NAME))
    connection.execute(
        insert(CALENDARS)
        .values(**values, is_default=True)
        .on_conflict_do_nothing(index_elements=["is_default"], index_where=CALENDARS.c.is_default)
    )
    return int(
        connection.execute(
            sa.select(CALENDARS.c.id).where(CALENDARS.c.is_default.is_(True))
        ).scalar_one()
    )


def get_row(connection: Connection, calendar_id: int) -> Any:
    row = connection.execute(sa.select(CALENDARS).where(CALENDARS.c.id == calendar_id)).first()
    if row is None:
        raise NotFound.thing("calendar", calendar_id)
    return row


def list_calendars(actor: Actor) -> list[CalendarRead]:
    """Every calendar, the default first (admins)."""
    require(actor, Permission.MANAGE_SLA)
    with transaction(write=True) as connection:
        default_id(connection)
        rows = connection.execute(
            sa.select(CALENDARS).order_by(CALENDARS.c.is_default.desc(), CALENDARS.c.name)
        )
        return [_read(row) for row in rows]


def _unique_name(connection: Connection, name: str, own_id: int | None = None) -> None:
    query = sa.select(CALENDARS.c.id).where(sa.func.lower(CALENDARS.c.name) == name.lower())
    if own_id is not None:
        query = query.where(CALENDARS.c.id != own_id)
    if connection.execute(query).first() is not None:
        raise InvalidInput.single("name", f"a calendar named {name!r} exists already")


def create_calendar(actor: Actor, *, data: CalendarData) -> CalendarRead:
    """Add a calendar (admins); policies use it once pointed at it."""
    require(actor, Permission.MANAGE_SLA)
    values = _values(data.checked())
    with transaction(write=True) as connection:
        default_id(connection)
        _unique_name(connection, values["name"])
        row = connection.execute(sa.insert(CALENDARS).values(**values).returning(CALENDARS)).one()
        return _read(row)


def update_calendar(
    actor: Actor, *, calendar_id: int, changes: dict[str, Any], is_default: bool | None = None
) -> CalendarRead:
    """Change a calendar (admins): `changes` are fields of CalendarData (the others kept);
    `is_default` true makes it the default. Policies on it get new terms, for tickets opened
    from now on."""
    from ticket_app.services import sla_policies  # the policies re-issue terms on calendars

    require(actor, Permission.MANAGE_SLA)
    with transaction(write=True) as connection:
        old = get_row(connection, calendar_id)
        merged = {**_read(old).model_dump(include=set(CalendarData.model_fields)), **changes}
        values = _values(validate(merged))
        _unique_name(connection, values["name"], calendar_id)
        if is_default:
            connection.execute(
                sa.update(CALENDARS)
                .where(CALENDARS.c.is_default.is_(True))
                .values(is_default=False)
            )
            values["is_default"] = True
        elif is_default is False and old.is_default:
            raise InvalidInput.single("is_default", "make another calendar the default instead")
        row = connection.execute(
            sa.update(CALENDARS)
            .where(CALENDARS.c.id == calendar_id)
            .values(**values, updated_at=utc_now())
            .returning(CALENDARS)
        ).one()
        if definition(row) != definition(old):
            sla_policies.reissue(connection, calendar_id=calendar_id, calendar=definition(row))
        return _read(row)


def delete_calendar(actor: Actor, *, calendar_id: int) -> None:
    """Delete a calendar no policy uses (admins); never the default."""
    require(actor, Permission.MANAGE_SLA)
    with transaction(write=True) as connection:
        row = get_row(connection, calendar_id)
        if row.is_default:
            raise InvalidInput.single("id", "the default calendar cannot be deleted")
        used = connection.execute(
            sa.select(sa.func.count()).where(POLICIES.c.calendar_id == calendar_id)
        ).scalar_one()
        if used:
            raise InvalidInput.single(
                "id", f"{used} polic{'y uses' if used == 1 else 'ies use'} this calendar"
            )
        connection.execute(sa.delete(CALENDARS).where(CALENDARS.c.id == calendar_id))
