"""Properties of the business-time clock (hypothesis), on calendars in zones with daylight
saving, with holidays, split days and night ranges; and the timers' edge cases."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_app.sla import clock, timers

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]
OFFICE = {day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in clock.DAYS[:5]}
NIGHTS = {"sat": [["01:00", "04:00"]], "sun": [["00:00", "24:00"]], "wed": [["22:00", "24:00"]]}
HOLIDAYS = {date(2026, 3, 29): "Sunday holiday", date(2026, 10, 26): "Monday holiday"}


def calendar(zone: str, week: dict[str, list[list[str]]]) -> clock.Calendar:
    return clock.Calendar(ZoneInfo(zone), clock.parse_hours(week), HOLIDAYS.get)


calendars = st.builds(calendar, st.sampled_from(ZONES), st.sampled_from([OFFICE, NIGHTS]))
# Around both daylight-saving changes of 2026 in the zones above.
instants = st.datetimes(
    min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 10), timezones=st.just(UTC)
)
amounts = st.integers(min_value=0, max_value=5 * 24 * 60).map(lambda m: timedelta(minutes=m))


def in_open_hours(cal: clock.Calendar, moment: datetime) -> bool:
    """Inside a span or at its very end (a due time may be the last open instant)."""
    day = moment.astimezone(cal.zone).date()
    return any(
        begin <= moment <= end
        for offset in (-1, 0, 1)
        for begin, end in cal.day_spans(day + timedelta(days=offset))
    )


@settings(max_examples=300, deadline=None)
@given(calendars, instants, amounts)
def test_adding_then_subtracting_gives_the_start_back(cal, start, amount) -> None:
    opened = clock.next_open(cal, start)
    due = clock.add(cal, opened, amount)
    if amount:
        assert clock.subtract(cal, due, amount) == opened
    assert clock.between(cal, opened, due) == amount


@settings(max_examples=300, deadline=None)
@given(calendars, instants, amounts)
def test_a_due_time_never_falls_in_closed_hours(cal, start, amount) -> None:
    due = clock.add(cal, start, amount)
    assert due >= start
    assert in_open_hours(cal, due)
    assert clock.between(cal, start, due) == amount


@settings(max_examples=200, deadline=None)
@given(calendars, instants, instants, instants)
def test_business_time_adds_up_over_a_split(cal, a, b, c) -> None:
    first, middle, last = sorted((a, b, c))
    assert clock.between(cal, first, last) == clock.between(cal, first, middle) + clock.between(
        cal, middle, last
    )


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 2), (date(2026, 10, 25), 4)],  # spring forward, fall back
    ids=["spring-forward", "fall-back"],
)
def test_a_night_range_across_the_change_counts_the_hours_that_really_passed(day, hours) -> None:
    cal = clock.Calendar(
        ZoneInfo("Europe/Berlin"), clock.parse_hours({"sun": [["01:00", "04:00"]]})
    )
    start = datetime.combine(day, datetime.min.time(), ZoneInfo("Europe/Berlin"))
    assert clock.between(cal, start, start + timedelta(days=1)) == timedelta(hours=hours)


def test_a_day_range_is_eight_hours_on_both_change_days() -> None:
    cal = clock.Calendar(
        ZoneInfo("Europe/Berlin"), clock.parse_hours({"sun": [["09:00", "17:00"]]})
    )
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        start = datetime.combine(day, datetime.min.time(), ZoneInfo("Europe/Berlin"))
        assert clock.between(cal, start, start + timedelta(days=1)) == timedelta(hours=8)


def test_a_holiday_on_a_weekend_changes_nothing() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    plain = clock.Calendar(berlin, clock.parse_hours(OFFICE))
    saturday = clock.Calendar(berlin, clock.parse_hours(OFFICE), {date(2026, 5, 2): "May"}.get)
    friday = datetime(2026, 5, 1, 16, 0, tzinfo=berlin)
    assert clock.add(saturday, friday, timedelta(hours=2)) == clock.add(
        plain, friday, timedelta(hours=2)
    )


def test_a_pause_spanning_a_holiday_counts_neither() -> None:
    """Paused on Thursday before Good Friday, resumed on Easter Tuesday: the used time stays."""
    berlin = ZoneInfo("Europe/Berlin")
    easter = {date(2026, 4, 3): "Good Friday", date(2026, 4, 6): "Easter Monday"}
    cal = clock.Calendar(berlin, clock.parse_hours(OFFICE), easter.get)
    terms = timers.Terms(cal, None, None, 8 * 60)
    opened = datetime(2026, 4, 2, 15, 0, tzinfo=berlin)
    events = [
        timers.Event(opened, "created", status="open"),
        timers.Event(opened + timedelta(hours=1), "reply", side="staff"),
        timers.Event(opened + timedelta(hours=1), "status", status="in_progress"),
        timers.Event(datetime(2026, 4, 7, 10, 0, tzinfo=berlin), "reply", side="requester"),
    ]
    resolution = timers.replay(terms, events)["resolution"]
    assert resolution.used == timedelta(hours=1)
    assert resolution.state == "running"
    # 7 hours left from Tuesday 10:00: 2.5 before lunch, 3.5 after, 1 on Wednesday
    assert resolution.due_at == datetime(2026, 4, 8, 10, 0, tzinfo=berlin)
    kinds = [phase.kind for phase in resolution.phases]
    assert "paused" in kinds


def test_a_zero_minute_target_is_due_at_the_next_opening() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    cal = clock.Calendar(berlin, clock.parse_hours(OFFICE))
    saturday = datetime(2026, 5, 2, 11, 0, tzinfo=berlin)
    terms = timers.Terms(cal, 0, None, None)
    first = timers.replay(terms, [timers.Event(saturday, "created", status="open")])
    assert first["first_response"].due_at == datetime(2026, 5, 4, 9, 0, tzinfo=berlin)
    inside = datetime(2026, 5, 4, 10, 0, tzinfo=berlin)
    again = timers.replay(terms, [timers.Event(inside, "created", status="open")])
    assert again["first_response"].due_at == inside


def test_a_calendar_with_no_open_hours_is_refused() -> None:
    with pytest.raises(clock.NeverOpen):
        clock.Calendar(ZoneInfo("UTC"), clock.parse_hours({"mon": []}))


def test_a_calendar_closed_for_ten_years_stops_looking() -> None:
    cal = clock.Calendar(ZoneInfo("UTC"), clock.parse_hours({"mon": [["09:00", "10:00"]]}), str)
    with pytest.raises(clock.NeverOpen):
        clock.add(cal, datetime(2026, 1, 1, tzinfo=UTC), timedelta(minutes=1))


def test_met_exactly_at_the_due_time_is_in_time_and_a_minute_later_is_not() -> None:
    cal = clock.Calendar(ZoneInfo("UTC"), clock.parse_hours(OFFICE))
    opened = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    terms = timers.Terms(cal, 60, None, None)
    for delay, late in ((60, False), (61, True)):
        replayed = timers.replay(
            terms,
            [
                timers.Event(opened, "created", status="open"),
                timers.Event(opened + timedelta(minutes=delay), "reply", side="staff"),
            ],
        )
        assert replayed["first_response"].state == "met"
        assert replayed["first_response"].breached is late
