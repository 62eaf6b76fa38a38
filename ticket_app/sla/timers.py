"""A ticket's service-level timers, replayed from what happened to it: pure, no database.

The three targets (business time on the terms' calendar):

- first response: from the ticket's creation to the first public reply by staff;
- next response: from a requester's public message that follows a staff reply (the first
  unanswered one) to the next public reply by staff; a new cycle each time;
- resolution: from creation until the ticket is resolved or closed; a reopened ticket goes on
  from the business time it had used.

The clock pauses while the ticket waits on the requester: the last public message is staff's
and the status is not open (in progress, say). Resolved or closed stops every timer. A target
is breached when its business time runs out before it is met (met exactly at the due time is
in time); for a running timer that is when the wall clock passes its due time. Everything here
follows from the events alone, so replaying a ticket's history later gives the same due times.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from ticket_app.sla import clock

TARGETS = ("first_response", "next_response", "resolution")
DONE = frozenset({"resolved", "closed"})
EventKind = Literal["created", "reply", "status"]


@dataclass(frozen=True)
class Event:
    """One thing that moves the timers: the ticket created (with its first status), a public
    reply (`side` staff or requester), a status change (`status` the new one)."""

    at: datetime
    kind: EventKind
    side: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Terms:
    """A policy's targets in business minutes (None: no target) on a calendar."""

    calendar: clock.Calendar
    first_response: int | None
    next_response: int | None
    resolution: int | None

    def minutes(self, target: str) -> int | None:
        value: int | None = getattr(self, target)
        return value


@dataclass(frozen=True)
class Phase:
    """A stretch of a timer's current run: `counted` spans add business time; the others are
    closed hours skipped, a pause (waiting on the requester) or a stop (resolved/closed)."""

    start: datetime
    end: datetime
    kind: Literal["counted", "closed", "paused", "stopped"]
    note: str = ""

    @property
    def minutes(self) -> float:
        return clock.minutes(self.end - self.start)


@dataclass
class Timer:
    """One target's state after the last event.

    `state`: running, paused (waiting on the requester), stopped (resolved or closed), met,
    or idle (next response with no requester message waiting). `due_at`/`warn_at` are set
    while running (either may be past); `breached` is what the events alone prove (met late,
    or a due time passed before the last event).
    """

    target: str
    minutes: int
    state: str = "idle"
    started_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    met_at: datetime | None = None
    used: timedelta = timedelta()
    breached: bool = False
    crossed_at: datetime | None = None
    warn_crossed_at: datetime | None = None
    phases: list[Phase] = field(default_factory=list)
    active: bool = False


@dataclass
class _Ticket:
    status: str = "open"
    last_side: str | None = None
    first_met: bool = False

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def waiting(self) -> bool:
        """Waiting on the requester: staff spoke last in public and the status is not open."""
        return self.last_side == "staff" and self.status != "open"

    def running(self, target: str) -> tuple[bool, str]:
        """Whether `target` counts now; if not, the phase kind and why."""
        if self.done:
            return False, f"stopped: ticket {self.status}"
        if target != "next_response" and self.waiting:
            return False, "paused: waiting on the requester"
        return True, ""


def replay(terms: Terms, events: list[Event], *, warn_share: float = 0.8) -> dict[str, Timer]:
    """Each target's timer after `events` (in time order, the first one `created`)."""
    timers = {
        name: Timer(name, minutes)
        for name in TARGETS
        if (minutes := terms.minutes(name)) is not None
    }
    ticket = _Ticket()
    previous: datetime | None = None
    for event in events:
        if previous is not None:
            for timer in timers.values():
                _advance(terms.calendar, ticket, timer, previous, event.at, warn_share)
        _apply(ticket, timers, event)
        previous = event.at
    if previous is not None:
        for timer in timers.values():
            _finish(terms.calendar, ticket, timer, previous, warn_share)
    return timers


def _apply(ticket: _Ticket, timers: dict[str, Timer], event: Event) -> None:
    first, following, resolution = (timers.get(name) for name in TARGETS)
    if event.kind == "created":
        ticket.status = event.status or "open"
        for timer in (first, resolution):
            if timer is not None:
                _start(timer, event.at)
        if resolution is not None and ticket.done:
            _meet(resolution, event.at)
    elif event.kind == "reply" and event.side == "staff":
        ticket.last_side = "staff"
        if not ticket.first_met:
            ticket.first_met = True
            if first is not None and first.active:
                _meet(first, event.at)
        if following is not None and following.active:
            _meet(following, event.at)
    elif event.kind == "reply":
        ticket.last_side = "requester"
        if ticket.first_met and following is not None and not following.active:
            _start(following, event.at, fresh=True)
    elif event.kind == "status" and event.status is not None:
        was_done = ticket.done
        ticket.status = event.status
        if resolution is not None:
            if ticket.done and not was_done and resolution.active:
                _meet(resolution, event.at)
            elif was_done and not ticket.done and not resolution.active:
                resolution.active, resolution.met_at, resolution.state = True, None, "running"


def _start(timer: Timer, at: datetime, fresh: bool = False) -> None:
    timer.active, timer.state, timer.started_at, timer.met_at = True, "running", at, None
    if fresh:
        timer.used, timer.crossed_at, timer.warn_crossed_at, timer.phases = (
            timedelta(),
            None,
            None,
            [],
        )


def _meet(timer: Timer, at: datetime) -> None:
    timer.active, timer.state, timer.met_at = False, "met", at
    if timer.crossed_at is not None and timer.crossed_at < at:
        timer.breached = True


def _target(timer: Timer, share: float = 1.0) -> timedelta:
    return timedelta(minutes=timer.minutes * share)


def _advance(
    calendar: clock.Calendar,
    ticket: _Ticket,
    timer: Timer,
    start: datetime,
    end: datetime,
    warn_share: float,
) -> None:
    """Count [start, end) for `timer` in the ticket's state over that stretch."""
    if not timer.active or end <= start:
        return
    running, why = ticket.running(timer.target)
    if not running:
        timer.phases.append(Phase(start, end, "paused" if "paused" in why else "stopped", why))
        return
    spans = clock.open_within(calendar, start, end)
    timer.phases += _phases(calendar, start, end, spans)
    counted = sum((b - a for a, b in spans), timedelta())
    for share, attribute in ((1.0, "crossed_at"), (warn_share, "warn_crossed_at")):
        if getattr(timer, attribute) is None and timer.used + counted >= _target(timer, share):
            setattr(
                timer, attribute, clock.add(calendar, start, _target(timer, share) - timer.used)
            )
    timer.used += counted
    if timer.crossed_at is not None and timer.crossed_at < end:
        timer.breached = True


def _finish(
    calendar: clock.Calendar, ticket: _Ticket, timer: Timer, last: datetime, warn_share: float
) -> None:
    """After the last event: a running timer's due and warning times, projected on."""
    if not timer.active:
        return
    running, why = ticket.running(timer.target)
    if not running:
        timer.state = "paused" if "paused" in why else "stopped"
        return
    timer.state = "running"
    timer.due_at = timer.crossed_at or clock.add(calendar, last, _target(timer) - timer.used)
    timer.warn_at = timer.warn_crossed_at or clock.add(
        calendar, last, _target(timer, warn_share) - timer.used
    )
    if timer.crossed_at is None:
        timer.phases += _phases(
            calendar, last, timer.due_at, clock.open_within(calendar, last, timer.due_at)
        )


def _phases(
    calendar: clock.Calendar, start: datetime, end: datetime, spans: list[clock.Span]
) -> list[Phase]:
    """[start, end) as counted spans and the closed hours between them."""
    phases = []
    cursor = start
    for begin, finish in [*spans, (end, end)]:
        if begin > cursor:
            phases.append(Phase(cursor, begin, "closed", _closed_note(calendar, cursor, begin)))
        if finish > begin:
            phases.append(Phase(begin, finish, "counted"))
        cursor = max(cursor, finish)
    return phases


def _closed_note(calendar: clock.Calendar, start: datetime, end: datetime) -> str:
    """Why [start, end) is closed: outside business hours, and the holidays within it."""
    first: date = start.astimezone(calendar.zone).date()
    last: date = end.astimezone(calendar.zone).date()
    names = []
    day = first
    while day <= last:
        if name := calendar.holiday(day):
            names.append(f"{name} ({day.isoformat()})")
        day += timedelta(days=1)
    return "holiday: " + ", ".join(names) if names else "outside business hours"
