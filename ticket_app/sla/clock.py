"""Business-time arithmetic on a calendar: pure functions, no database, no "now".

A calendar is a time zone, weekly opening ranges in local wall-clock time and closed dates
(public holidays and the desk's own). Business time is *elapsed real time inside open spans*:
each local range is turned into a UTC span for its date and the spans' real lengths are added
up. That makes daylight saving safe by construction: a 09:00-17:00 day is 8 hours on the day the
clocks move (the move happens at night), and a range that crosses the move counts the hours
that really passed (01:00-04:00 is 2 hours in spring, 4 in autumn); a local time that does not
exist (in the spring gap) is read with the offset before the change, as `zoneinfo` does.

Spans are half-open, [start, end): an instant at the end of the day's last range is closed.
`add` returns the instant the last minute is used up, which may be exactly a span's end (so a
due time is always inside or at the end of open hours, never in closed hours); `subtract`
returns the instant the first minute starts, which may be exactly a span's start. So, from an
open instant, subtracting what was added gives the start back.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
# A search that meets no open minute in ten years is a calendar that (nearly) never opens:
# refused rather than looped on.
SEARCH_DAYS = 3660
Range = tuple[int, int]  # minutes from local midnight, start < end <= 1440
Span = tuple[datetime, datetime]  # UTC, start < end


class NeverOpen(ValueError):
    """The calendar has no open minute within SEARCH_DAYS of the instant asked about."""


def _no_holidays(_: date) -> str | None:
    return None


@dataclass(frozen=True)
class Calendar:
    """Opening hours: `week[0]` is Monday's ranges, sorted and not overlapping; `holiday`
    names a closed date (None: the date is a working day)."""

    zone: ZoneInfo
    week: tuple[tuple[Range, ...], ...]
    holiday: Callable[[date], str | None] = field(default=_no_holidays, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has 7 days")
        for ranges in self.week:
            previous_end = 0
            for start, end in ranges:
                if not 0 <= start < end <= DAY_MINUTES or start < previous_end:
                    raise ValueError("ranges must be sorted, within a day, and not overlap")
                previous_end = end
        if not any(self.week):
            raise NeverOpen("a calendar needs at least one open range in the week")

    def closed_reason(self, day: date) -> str:
        """Why `day` (a local date) has closed hours: a holiday's name or "outside hours"."""
        name = self.holiday(day)
        return f"holiday: {name}" if name else "outside business hours"

    def day_spans(self, day: date) -> list[Span]:
        """The UTC spans a local date is open, none on a holiday."""
        if self.holiday(day) is not None:
            return []
        spans = []
        for start, end in self.week[day.weekday()]:
            begin = _local(day, start, self.zone)
            finish = _local(day, end, self.zone)
            if begin < finish:
                spans.append((begin, finish))
        return spans


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """`day` at `minutes` past local midnight (1440: the next midnight), in UTC."""
    if minutes == DAY_MINUTES:
        day, minutes = day + timedelta(days=1), 0
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _check(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC)


def spans_after(calendar: Calendar, start: datetime) -> Iterator[Span]:
    """The open spans from `start` on, the first clipped to begin at `start`, in order.
    Raises NeverOpen after SEARCH_DAYS days without an open minute."""
    start = _check(start)
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    idle = 0
    while True:
        found = False
        for begin, end in calendar.day_spans(day):
            if end > start:
                found = True
                yield max(begin, start), end
        idle = 0 if found else idle + 1
        if idle > SEARCH_DAYS:
            raise NeverOpen("the calendar has no open hours within ten years")
        day += timedelta(days=1)


def spans_before(calendar: Calendar, end: datetime) -> Iterator[Span]:
    """The open spans before `end`, newest first, the first clipped to finish at `end`."""
    end = _check(end)
    day = end.astimezone(calendar.zone).date() + timedelta(days=1)
    idle = 0
    while True:
        found = False
        for begin, finish in reversed(calendar.day_spans(day)):
            if begin < end:
                found = True
                yield begin, min(finish, end)
        idle = 0 if found else idle + 1
        if idle > SEARCH_DAYS:
            raise NeverOpen("the calendar has no open hours within ten years")
        day -= timedelta(days=1)


def add(calendar: Calendar, start: datetime, amount: timedelta) -> datetime:
    """The instant `amount` of business time after `start` is used up. Zero from a closed
    instant is the next opening (a due time never falls in closed hours)."""
    if amount < timedelta(0):
        return subtract(calendar, start, -amount)
    left = amount
    for begin, end in spans_after(calendar, start):
        if left <= end - begin:
            return begin + left
        left -= end - begin
    raise AssertionError("unreachable: spans_after never ends")  # pragma: no cover


def subtract(calendar: Calendar, end: datetime, amount: timedelta) -> datetime:
    """The instant from which `amount` of business time runs up to `end`."""
    left = amount
    for begin, finish in spans_before(calendar, end):
        if left <= finish - begin:
            return finish - left
        left -= finish - begin
    raise AssertionError("unreachable: spans_before never ends")  # pragma: no cover


def next_open(calendar: Calendar, moment: datetime) -> datetime:
    """`moment` if the calendar is open then, else the next opening."""
    begin, _ = next(spans_after(calendar, moment))
    return begin


def is_open(calendar: Calendar, moment: datetime) -> bool:
    return next_open(calendar, moment) == _check(moment)


def between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Business time from `start` to `end` (zero when `end` is not later)."""
    return sum((finish - begin for begin, finish in open_within(calendar, start, end)), timedelta())


def open_within(calendar: Calendar, start: datetime, end: datetime) -> list[Span]:
    """The open spans inside [start, end)."""
    start, end = _check(start), _check(end)
    if end <= start:
        return []
    spans = []
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    last = end.astimezone(calendar.zone).date() + timedelta(days=1)
    while day <= last:
        for begin, finish in calendar.day_spans(day):
            if finish > start and begin < end:
                spans.append((max(begin, start), min(finish, end)))
        day += timedelta(days=1)
    return spans


def minutes(amount: timedelta) -> float:
    return amount / timedelta(minutes=1)


def parse_hours(week: dict[str, list[list[str]]]) -> tuple[tuple[Range, ...], ...]:
    """`{"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ...}` as ranges; ValueError naming
    the day and the range that is wrong. "24:00" ends a range at midnight."""
    unknown = set(week) - set(DAYS)
    if unknown:
        raise ValueError(f"unknown day {sorted(unknown)[0]!r}; days are {', '.join(DAYS)}")
    result = []
    for day in DAYS:
        ranges = []
        for pair in week.get(day, []):
            if len(pair) != 2:
                raise ValueError(f"{day}: a range is [start, end] like ['09:00', '17:00']")
            start, end = (_minute_of_day(day, text) for text in pair)
            if start >= end:
                raise ValueError(f"{day}: {pair[0]}-{pair[1]} ends before it starts")
            ranges.append((start, end))
        ranges.sort()
        for (_, first_end), (second_start, _) in pairwise(ranges):
            if second_start < first_end:
                raise ValueError(f"{day}: ranges overlap")
        result.append(tuple(ranges))
    return tuple(result)


def _minute_of_day(day: str, text: str) -> int:
    hours, _, mins = str(text).partition(":")
    if not (hours.isdigit() and mins.isdigit() and len(mins) == 2):
        raise ValueError(f"{day}: {text!r} is not a time like 09:00")
    value = int(hours) * 60 + int(mins)
    if int(mins) > 59 or value > DAY_MINUTES:
        raise ValueError(f"{day}: {text!r} is not a time of day (00:00-24:00)")
    return value


def format_hours(week: tuple[tuple[Range, ...], ...]) -> dict[str, list[list[str]]]:
    """The inverse of `parse_hours` (closed days left out)."""
    return {
        day: [[_hhmm(start), _hhmm(end)] for start, end in ranges]
        for day, ranges in zip(DAYS, week, strict=True)
        if ranges
    }


def _hhmm(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"
