"""The service-level clock of tickets: due columns kept in step, explanations, warnings, and
the dashboard's figures.

- `refresh` runs in every write that can move a timer (create, public reply, status, priority
  or category change, merge), in the write's transaction: it replays the ticket's history
  (`ticket_app.sla.timers`) under the terms it was opened with and stores the due times, the
  pause, the earliest due time (`sla_due_at`, which lists filter and sort on) and when the
  sweep must next look at the ticket (`sla_warn_at`). Replaying rather than patching means a
  later replay of the same history gives the same columns (a test replays thousands).
- Breached flags are bits (first response 1, next response 2, resolution 4) that are only
  ever added: met late, or past the due time while running.
- `sweep` sends the warnings: at SLA_WARN_PERCENT of a target and at its breach, once each
  (bits in `sla_notified`: warned 1/2/4, breach told 8/16/32; a new next-response cycle may
  warn again), to the assignee or, when nobody is assigned, to the admins, with a history
  entry. It claims only tickets whose `sla_warn_at` has come (a partial index), with SKIP
  LOCKED on PostgreSQL so two workers never tell the same thing twice.
- Waiting on the requester (the clock pauses): staff's public reply was the last public
  message and the status is not open. Resolved or closed stops every timer.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import STAFF_ROLES, HistoryKind, Priority, Role
from ticket_app.models import (
    NO_DUE,
    SlaOutcome,
    Ticket,
    TicketComment,
    TicketHistory,
    User,
    utc_now,
)
from ticket_app.services import history, memo, notifications, sla_calendars, sla_policies
from ticket_app.services.access import Actor, sees_internal, visible_tickets
from ticket_app.services.errors import Forbidden, NotFound
from ticket_app.services.schemas import SlaRead, Timestamp
from ticket_app.services.transaction import transaction
from ticket_app.sla import clock, timers

logger = logging.getLogger(__name__)

TICKETS = Ticket.__table__
HISTORY = TicketHistory.__table__
COMMENTS = TicketComment.__table__
USERS = User.__table__
OUTCOMES = SlaOutcome.__table__
BITS = {"first_response": 1, "next_response": 2, "resolution": 4}
TOLD_BREACH = 3  # shift: breach-told bits are the warned bits << 3
DUE_COLUMNS = {name: f"{name}_due_at" for name in timers.TARGETS}
LABELS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}
WAITING_RULE = (
    "The clock pauses while the ticket waits on the requester: staff's public reply was the "
    "last public message and the status is not open. Resolved or closed stops every timer."
)
DUE_SOON = timedelta(hours=1)
MOVED_BY = frozenset({"status", "priority", "category"})  # ticket fields that move timers
SWEEP_BATCH = 200


def warn_share() -> float:
    return get_settings().sla_warn_percent / 100


# -- replay -------------------------------------------------------------------------------


def events(connection: Connection, row: Any) -> list[timers.Event]:
    """The ticket's timer events from its history (merged-in comments left out: they were
    answered, or not, on their own ticket)."""
    query = (
        sa.select(
            HISTORY.c.kind,
            HISTORY.c.field,
            HISTORY.c.old_value,
            HISTORY.c.new_value,
            HISTORY.c.public,
            HISTORY.c.at,
            COMMENTS.c.origin_ticket_id,
            USERS.c.role,
        )
        .select_from(HISTORY)
        .outerjoin(COMMENTS, COMMENTS.c.id == HISTORY.c.comment_id)
        .outerjoin(USERS, USERS.c.id == HISTORY.c.actor_id)
        .where(HISTORY.c.ticket_id == row.id)
        .order_by(HISTORY.c.id)
    )
    entries = connection.execute(query).all()
    first_status = next(
        (e.old_value for e in entries if e.field == "status" and e.old_value), row.status
    )
    found = [timers.Event(row.created_at, "created", status=first_status)]
    for entry in entries:
        if entry.kind == HistoryKind.COMMENTED and entry.public:
            if entry.origin_ticket_id not in (None, row.id):
                continue
            side = entry.new_value or (
                "staff" if entry.role in {r.value for r in STAFF_ROLES} else "requester"
            )
            found.append(timers.Event(entry.at, "reply", side=side))
        elif entry.field == "status" and entry.new_value:
            found.append(timers.Event(entry.at, "status", status=entry.new_value))
    return found


@dataclass(frozen=True)
class Computed:
    terms: Any | None
    timers: dict[str, timers.Timer]
    calendar: clock.Calendar | None


def compute(connection: Connection, row: Any) -> Computed:
    """The ticket's timers replayed from its history under its terms."""
    terms = sla_policies.terms_for(
        connection, priority=row.priority, category=row.category, opened_at=row.created_at
    )
    if terms is None:
        return Computed(None, {}, None)
    calendar = sla_calendars.build(terms.calendar)
    plan = timers.Terms(
        calendar,
        terms.first_response_minutes,
        terms.next_response_minutes,
        terms.resolution_minutes,
    )
    replayed = timers.replay(plan, events(connection, row), warn_share=warn_share())
    return Computed(terms, replayed, calendar)


def columns(computed: Computed, old: Any, now: datetime) -> dict[str, Any]:
    """The ticket's service-level columns for `computed` (given its row `old`)."""
    running = {name: t for name, t in computed.timers.items() if t.state == "running"}
    breached = old.sla_breached
    notified = old.sla_notified
    for name, timer in computed.timers.items():
        due = timer.due_at
        if timer.breached or (timer.state == "running" and due is not None and due <= now):
            breached |= BITS[name]
        if name == "next_response" and timer.state != "running":
            notified &= ~(BITS[name] | BITS[name] << TOLD_BREACH)  # a new cycle warns anew
    dues = [t.due_at for t in running.values() if t.due_at is not None]
    return {
        "sla_policy_id": computed.terms.policy_id if computed.terms is not None else None,
        "sla_terms_id": computed.terms.id if computed.terms is not None else None,
        **{
            column: running[name].due_at if name in running else None
            for name, column in DUE_COLUMNS.items()
        },
        "sla_paused": any(t.state == "paused" for t in computed.timers.values()),
        "sla_due_at": min(dues, default=NO_DUE),
        "sla_breached": breached,
        "sla_notified": notified,
        "sla_warn_at": _next_look(running, notified),
    }


def _next_look(running: dict[str, timers.Timer], notified: int) -> datetime | None:
    """When the sweep must look again: the earliest warning or breach not yet told."""
    moments = []
    for name, timer in running.items():
        if not notified & BITS[name] and timer.warn_at is not None:
            moments.append(timer.warn_at)
        if not notified & (BITS[name] << TOLD_BREACH) and timer.due_at is not None:
            moments.append(timer.due_at)
    return min(moments, default=None)


def refresh(
    connection: Connection, *, ticket_id: int, row: Any = None, any_terms: bool | None = None
) -> bool:
    """Bring the ticket's service-level columns in step with its history, in the caller's
    transaction (called after the write and its history entries); counts the targets this
    write met for the dashboard. True when it changed the row (a caller holding it re-reads).
    `row`: the ticket's current row when the caller has it (a create's RETURNING), so it is
    not read again; `any_terms`: `ANY_TERMS` when the caller's statement already asked it."""
    if any_terms is None:
        any_terms = _any_terms(connection)
    if not any_terms:  # no ticket can hold terms (a foreign key) when none exist
        return False  # no policy was ever set: nothing to keep (the common case of a fresh desk)
    if row is None:
        row = connection.execute(sa.select(TICKETS).where(TICKETS.c.id == ticket_id)).one()
    now = utc_now()
    computed = compute(connection, row)
    values = columns(computed, row, now)
    _count_met(connection, row, computed, now)
    if not any(getattr(row, name) != value for name, value in values.items()):
        return False
    connection.execute(sa.update(TICKETS).where(TICKETS.c.id == ticket_id).values(**values))
    return True


ANY_TERMS = sa.exists(sa.select(sla_policies.TERMS.c.id))
"""Whether a policy was ever set: a column a caller's own statement can carry (a create's
INSERT on PostgreSQL), to spare `refresh` its own query."""


def _any_terms(connection: Connection) -> bool:
    """`ANY_TERMS`, read once per batch of mail (`services.memo`)."""
    return memo.cached(
        "sla-any-terms", lambda: bool(connection.execute(sa.select(ANY_TERMS)).scalar())
    )


def _count_met(connection: Connection, old: Any, computed: Computed, now: datetime) -> None:
    """Add the targets this write met to `sla_outcomes`: running (or paused) before, met now."""
    for name, timer in computed.timers.items():
        was_running = getattr(old, DUE_COLUMNS[name]) is not None or (
            name == "resolution" and old.sla_paused
        )
        if not (was_running and timer.state == "met" and timer.met_at is not None):
            continue
        minutes = round(clock.minutes(timer.used))
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        late = int(timer.breached)
        statement = insert(OUTCOMES).values(
            day=now.date(),
            priority=old.priority,
            target=name,
            bucket=bucket(minutes),
            met=1 - late,
            breached=late,
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["day", "priority", "target", "bucket"],
                set_={
                    "met": OUTCOMES.c.met + statement.excluded.met,
                    "breached": OUTCOMES.c.breached + statement.excluded.breached,
                },
            )
        )


def bucket(minutes: int) -> int:
    """`minutes` to two significant figures (37 -> 37, 123 -> 120, 1234 -> 1200)."""
    if minutes < 100:
        return max(minutes, 0)
    scale: int = 10 ** (len(str(minutes)) - 2)
    return (minutes // scale) * scale


# -- reading --------------------------------------------------------------------------------


def read(row: Any, now: datetime | None = None) -> SlaRead:
    """The ticket's `sla` object: stored due times and flags, plus running targets whose due
    time has passed (breached before the sweep has recorded it)."""
    now = now or utc_now()
    breached = [
        name
        for name, bit in BITS.items()
        if row.sla_breached & bit
        or ((due := getattr(row, DUE_COLUMNS[name])) is not None and due <= now)
    ]
    return SlaRead(
        policy_id=row.sla_policy_id,
        first_response_due_at=row.first_response_due_at,
        next_response_due_at=row.next_response_due_at,
        resolution_due_at=row.resolution_due_at,
        paused=row.sla_paused,
        breached=breached,
    )


class SlaPhase(BaseModel):
    kind: str = Field(description="counted, closed (outside hours/holiday), paused or stopped")
    start: Timestamp
    end: Timestamp
    minutes: float
    note: str


class SlaTimerRead(BaseModel):
    target: str
    label: str
    minutes: int = Field(description="The target, in business minutes")
    state: str = Field(description="running, paused, stopped, met or idle")
    started_at: Timestamp | None
    due_at: Timestamp | None
    met_at: Timestamp | None
    used_minutes: float = Field(description="Business minutes used (up to now when running)")
    left_minutes: float | None = Field(
        description="Business minutes left until the due time (negative: overdue); running only"
    )
    breached: bool
    phases: list[SlaPhase] = Field(
        description="The current run: counted spans, closed hours, pauses and stops, from its "
        "start to when it was met or (running) to its due time"
    )


class SlaExplanation(BaseModel):
    ticket_id: int
    policy_id: int | None
    time_zone: str | None
    rule: str
    timers: list[SlaTimerRead]


def _timer_read(
    calendar: clock.Calendar, timer: timers.Timer, stored_bits: int, now: datetime
) -> SlaTimerRead:
    left = None
    used = timer.used
    if timer.state == "running" and timer.due_at is not None:
        due = timer.due_at
        left = clock.minutes(
            clock.between(calendar, now, due) if due > now else -clock.between(calendar, due, now)
        )
        used = timedelta(minutes=timer.minutes) - timedelta(minutes=left)
    due_passed = timer.state == "running" and timer.due_at is not None and timer.due_at <= now
    return SlaTimerRead(
        target=timer.target,
        label=LABELS[timer.target],
        minutes=timer.minutes,
        state=timer.state,
        started_at=timer.started_at,
        due_at=timer.due_at,
        met_at=timer.met_at,
        used_minutes=round(clock.minutes(used), 2),
        left_minutes=None if left is None else round(left, 2),
        breached=bool(stored_bits & BITS[timer.target]) or timer.breached or due_passed,
        phases=[
            SlaPhase(
                kind=phase.kind,
                start=phase.start,
                end=phase.end,
                minutes=round(phase.minutes, 2),
                note=phase.note,
            )
            for phase in timer.phases
        ],
    )


def explain(actor: Actor, *, ticket_id: int) -> SlaExplanation:
    """How the ticket's timers were computed, replayed from its history (staff)."""
    if not sees_internal(actor):
        raise Forbidden("Only agents and admins see how service levels were computed.")
    now = utc_now()
    with transaction() as connection:
        row = connection.execute(
            sa.select(TICKETS).where(TICKETS.c.id == ticket_id, *visible_tickets(actor))
        ).first()
        if row is None:
            raise NotFound.ticket(ticket_id)
        computed = compute(connection, row)
    calendar = computed.calendar
    return SlaExplanation(
        ticket_id=row.id,
        policy_id=row.sla_policy_id,
        time_zone=str(calendar.zone) if calendar else None,
        rule=WAITING_RULE,
        timers=[
            _timer_read(calendar, timer, row.sla_breached, now)
            for timer in computed.timers.values()
        ]
        if calendar
        else [],
    )


# -- the warning sweep --------------------------------------------------------------------


def _recipients(connection: Connection, row: Any) -> list[int]:
    if row.assignee_id is not None:
        return [row.assignee_id]
    admins = sa.select(USERS.c.id).where(USERS.c.role == Role.ADMIN.value, USERS.c.active.is_(True))
    return list(connection.execute(admins).scalars())


def _tell(connection: Connection, row: Any, computed: Computed, now: datetime) -> dict[str, int]:
    """Warnings and breaches now due on the locked ticket `row`: notices, history entries,
    and the bits that say they were told."""
    notified, breached = row.sla_notified, row.sla_breached
    entries = []
    messages = []
    for name, timer in computed.timers.items():
        if timer.state != "running" or timer.due_at is None or timer.warn_at is None:
            continue
        bit = BITS[name]
        label = LABELS[name]
        due = timer.due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if timer.due_at <= now and not notified & (bit << TOLD_BREACH):
            notified |= bit | (bit << TOLD_BREACH)
            breached |= bit
            entries.append(_entry(row.id, HistoryKind.SLA_BREACHED, name, due))
            messages.append(f"{label} was due at {due} and is now overdue.")
        elif timer.warn_at <= now and not notified & bit:
            notified |= bit
            entries.append(_entry(row.id, HistoryKind.SLA_WARNING, name, due))
            share = get_settings().sla_warn_percent
            messages.append(f"{label} is due at {due}: {share}% of its time is used.")
    if entries:
        history.record(connection, entries)
        notifications.sla_warning(
            connection,
            ticket=row,
            recipients=_recipients(connection, row),
            message=" ".join(messages),
        )
    return {"sla_notified": notified, "sla_breached": breached}


def _entry(ticket_id: int, kind: HistoryKind, target: str, due: str) -> dict[str, Any]:
    return history.entry(ticket_id, None, kind, public=False, old=due, new=target)


def sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Tell what has come due on up to `limit` tickets whose next look (`sla_warn_at`) has
    come; returns how many tickets it looked at. Safe to run in several processes at once."""
    now = now or utc_now()
    with transaction(write=True) as connection:
        claim = (
            sa.select(TICKETS)
            .where(TICKETS.c.sla_warn_at <= now)
            .order_by(TICKETS.c.sla_warn_at, TICKETS.c.id)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            claim = claim.with_for_update(skip_locked=True)
        rows = connection.execute(claim).all()
        for row in rows:
            computed = compute(connection, row)
            told = _tell(connection, row, computed, now)
            after = SimpleRow(row, told)
            values = columns(computed, after, now)
            connection.execute(sa.update(TICKETS).where(TICKETS.c.id == row.id).values(**values))
    return len(rows)


class SimpleRow:
    """`row` with some columns replaced (what `columns` reads)."""

    def __init__(self, row: Any, changes: dict[str, Any]) -> None:
        self._row, self._changes = row, changes

    def __getattr__(self, name: str) -> Any:
        return self._changes[name] if name in self._changes else getattr(self._row, name)


def sweep_all(*, now: datetime | None = None) -> int:
    """Sweep until nothing is due (the `manage sla-sweep` command)."""
    total = 0
    while looked := sweep(now=now):
        total += looked
    return total


# -- the dashboard ------------------------------------------------------------------------


class TargetShare(BaseModel):
    met: int
    breached: int
    share: float | None = Field(description="Met in time / all met, null when none")


class SlaDashboard(BaseModel):
    days: int
    by_priority: dict[Priority, dict[str, TargetShare]]
    median_first_response_minutes: float | None = Field(
        description="Business minutes, to two significant figures"
    )
    breached_now: int = Field(description="Tickets past a running due time, counted up to cap")
    breached_now_capped: bool


def dashboard(actor: Actor, *, days: int = 30, cap: int = 10_000) -> SlaDashboard:
    """The last `days` days from the daily counters; tickets breached now from the due index."""
    if not sees_internal(actor):
        raise Forbidden("Only agents and admins see service-level figures.")
    now = utc_now()
    since = (now - timedelta(days=days)).date()
    with transaction() as connection:
        rows = connection.execute(
            sa.select(
                OUTCOMES.c.priority,
                OUTCOMES.c.target,
                OUTCOMES.c.bucket,
                sa.func.sum(OUTCOMES.c.met).label("met"),
                sa.func.sum(OUTCOMES.c.breached).label("breached"),
            )
            .where(OUTCOMES.c.day > since)
            .group_by(OUTCOMES.c.priority, OUTCOMES.c.target, OUTCOMES.c.bucket)
        ).all()
        overdue = sa.select(TICKETS.c.id).where(TICKETS.c.sla_due_at <= now).limit(cap + 1)
        breached_now = connection.execute(
            sa.select(sa.func.count()).select_from(overdue.subquery())
        ).scalar_one()
    shares: dict[Priority, dict[str, list[int]]] = {
        p: {t: [0, 0] for t in timers.TARGETS} for p in Priority
    }
    first: list[tuple[int, int]] = []
    for row in rows:
        pair = shares[Priority(row.priority)][row.target]
        pair[0] += int(row.met)
        pair[1] += int(row.breached)
        if row.target == "first_response":
            first.append((row.bucket, int(row.met) + int(row.breached)))
    return SlaDashboard(
        days=days,
        by_priority={
            p: {
                t: TargetShare(
                    met=met,
                    breached=late,
                    share=round(met / (met + late), 4) if met + late else None,
                )
                for t, (met, late) in targets.items()
            }
            for p, targets in shares.items()
        },
        median_first_response_minutes=_median(first),
        breached_now=min(int(breached_now), cap),
        breached_now_capped=int(breached_now) > cap,
    )


def _median(counted: list[tuple[int, int]]) -> float | None:
    total = sum(count for _, count in counted)
    if not total:
        return None
    seen = 0
    for value, count in sorted(counted):
        seen += count
        if seen * 2 >= total:
            return float(value)
    return None  # pragma: no cover
