"""What the ticket page shows of its service levels: each timer as plain strings (due time in
the calendar's own zone, time left in business time, running or paused) and the replayed
"how was this computed" lines."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ticket_app.services.sla import SlaExplanation, SlaTimerRead

STATES = {
    "running": "Running",
    "paused": "Paused: waiting on the requester",
    "stopped": "Stopped: resolved or closed",
    "met": "Met",
    "idle": "Not running: no requester message waiting",
}
KINDS = {
    "counted": "Counted",
    "closed": "Closed hours",
    "paused": "Paused",
    "stopped": "Stopped",
}


@dataclass(frozen=True)
class SlaTimerView:
    target: str = ""
    label: str = ""
    state: str = ""
    state_label: str = ""
    due: str = ""  # in the calendar's zone, "" when not running
    left: str = ""
    tone: str = "gray"  # red: overdue or breached, amber: within the hour, green: met in time
    breached: bool = False
    phases: list[dict[str, str]] = field(default_factory=list)


def duration(minutes: float) -> str:
    """Business minutes as "2 h 05 min" (whole minutes)."""
    whole = round(abs(minutes))
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def _at(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")


def _tone(timer: SlaTimerRead) -> str:
    if timer.breached:
        return "red"
    if timer.left_minutes is not None and timer.left_minutes <= 60:
        return "amber"
    return "green" if timer.state == "met" else "gray"


def _left(timer: SlaTimerRead) -> str:
    if timer.left_minutes is None:
        return ""
    if timer.left_minutes < 0:
        return f"overdue by {duration(timer.left_minutes)} of business time"
    return f"{duration(timer.left_minutes)} of business time left"


def to_timer_views(explained: SlaExplanation) -> list[SlaTimerView]:
    zone = ZoneInfo(explained.time_zone or "UTC")
    return [
        SlaTimerView(
            target=timer.target,
            label=f"{timer.label} ({duration(timer.minutes)})",
            state=timer.state,
            state_label=STATES[timer.state],
            due=f"{_at(timer.due_at, zone)} ({zone.key})" if timer.due_at else "",
            left=_left(timer),
            tone=_tone(timer),
            breached=timer.breached,
            phases=[
                {
                    "kind": KINDS[phase.kind],
                    "span": f"{_at(phase.start, zone)} – {_at(phase.end, zone)}",
                    "minutes": duration(phase.minutes),
                    "note": phase.note,
                }
                for phase in timer.phases
            ],
        )
        for timer in explained.timers
    ]
