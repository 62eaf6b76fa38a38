"""The dashboard's numbers: totals, breakdowns, tickets per day, open tickets per assignee,
the AI agreement share and service levels (the last three for staff; a requester sees their
own tickets' figures).

All of it comes from the stats service's counter-backed queries in one worker-thread call,
and is re-read only when the desk's revision moves.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, final

import reflex as rx

from ticket_app.services import drafts, sla, stats
from ticket_app.services.access import Actor, Permission
from ticket_app.services.drafts import DraftFigures
from ticket_app.services.schemas import Stats
from ticket_app.ui import routes
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.live.push import View
from ticket_app.ui.live.shared_reads import audience, get_shared_reads
from ticket_app.ui.state.live import LiveState, assign
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS
from ticket_app.ui.viewmodels.sla import duration

DAYS = 30


@dataclass(frozen=True)
class Numbers:
    """Everything the dashboard shows, read together."""

    stats: Stats
    daily: list[tuple[date, int]]
    agreement: stats.SuggestionAgreement | None
    loads: list[stats.AssigneeLoad]
    service: sla.SlaDashboard | None
    drafts: DraftFigures | None = None


@dataclass(frozen=True)
class AssigneeRow:
    """One line of the open-tickets-per-assignee list, linking to those tickets."""

    name: str
    count: int
    url: str


def read_numbers(actor: Actor) -> Numbers:
    staff = actor.can(Permission.READ_ALL)
    return Numbers(
        stats=stats.get_stats(actor),
        daily=stats.daily_counts(actor, days=DAYS),
        agreement=stats.suggestion_agreement(actor) if staff else None,
        loads=stats.open_by_assignee(actor) if staff else [],
        drafts=drafts.figures(actor) if staff else None,
        service=sla.dashboard(actor, days=DAYS) if staff else None,
    )


def service_rows(figures: sla.SlaDashboard) -> list[dict[str, str]]:
    """Per priority, the share of each target met in time over the period ("–": none met)."""

    def shown(share: sla.TargetShare) -> str:
        if share.share is None:
            return "–"
        return f"{share.share:.0%} of {share.met + share.breached}"

    return [
        {
            "priority": PRIORITY_LABELS[priority],
            **{target: shown(shares[target]) for target in sla.timers.TARGETS},
        }
        for priority, shares in figures.by_priority.items()
    ]


def breakdown(
    counts: Mapping[str, int], labels: dict[str, str], colors: dict[str, str]
) -> list[dict[str, str | int]]:
    """Chart rows in the vocabulary's order, each with its label and the value's colour."""
    return [
        {"key": key, "name": label, "count": counts.get(key, 0), "fill": f"var(--{colors[key]}-9)"}
        for key, label in labels.items()
    ]


def _drafts_shown(figures: DraftFigures | None) -> dict[str, str]:
    """Suggested replies: the share marked helpful, and how much of a draft was kept."""
    rated = figures.helpful + figures.not_helpful if figures else 0
    kept = figures.kept_average if figures else None
    return {
        "drafts_helpful": f"{figures.helpful / rated:.0%}" if figures and rated else "–",
        "drafts_detail": f"{figures.drafts if figures else 0} drafts, {rated} rated; "
        + ("none sent yet" if kept is None else f"{kept:.0%} of a draft kept when sent"),
    }


def page_values(numbers: Numbers) -> dict[str, Any]:
    """The numbers as the page's vars (`assign` sends only those that changed)."""
    figures = numbers.stats
    shown: dict[str, Any] = {
        "total_tickets": figures.total_tickets,
        "open_tickets": figures.open_tickets,
        "average_per_day": figures.avg_tickets_per_day,
        "capped": figures.capped,
        "priority_data": breakdown(figures.priority_breakdown, PRIORITY_LABELS, PRIORITY_COLORS),
        "category_data": breakdown(figures.category_breakdown, CATEGORY_LABELS, CATEGORY_COLORS),
        "status_data": breakdown(figures.status_breakdown, STATUS_LABELS, STATUS_COLORS),
        "daily_data": [
            {"day": day.strftime("%b %-d"), "tickets": count} for day, count in numbers.daily
        ],
        "assignee_data": [
            AssigneeRow(
                name=load.name,
                count=load.open_tickets,
                url=routes.list_url(
                    {"status": "open", "assignee": str(load.assignee_id or "none")}
                ),
            )
            for load in numbers.loads
        ],
    }
    if numbers.service is not None:
        service = numbers.service
        median = service.median_first_response_minutes
        capped = "+" if service.breached_now_capped else ""
        shown["service_data"] = service_rows(service)
        shown["median_first_response"] = "–" if median is None else duration(median)
        shown["breached_now"] = f"{service.breached_now:,}{capped}"
    agreement = numbers.agreement
    share = agreement.share if agreement else None
    shown["agreed"] = agreement.agreed if agreement else 0
    shown["suggested"] = agreement.suggested if agreement else 0
    shown["agreement_share"] = "–" if share is None else f"{share:.0%}"
    return {**shown, **_drafts_shown(numbers.drafts), "error": "", "loaded": True}


@final
class DashboardState(LiveState, SessionState):
    """The /dashboard page."""

    total_tickets: int = 0
    open_tickets: int = 0
    average_per_day: float = 0.0
    capped: bool = False
    agreed: int = 0
    suggested: int = 0
    agreement_share: str = "–"
    drafts_helpful: str = "–"
    drafts_detail: str = ""
    priority_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    category_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    status_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    daily_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    assignee_data: list[AssigneeRow] = rx.field(default_factory=list)
    service_data: list[dict[str, str]] = rx.field(default_factory=list)
    median_first_response: str = "–"
    breached_now: str = "0"

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: show the numbers, then keep them live."""
        return await self._load_and_watch()

    def _view(self, actor: Actor) -> View:
        """The numbers as the page shows them, read and shaped once for every tab of the
        viewer's audience (`shared_reads`); what a push recomputes (`push.py`)."""
        tab, key = self.router.session.client_token, ("dashboard", audience(actor))

        async def values() -> dict[str, Any]:
            reads = get_shared_reads()
            numbers = await reads.read(key, lambda: read_numbers(actor), tab)
            return reads.derive(("dashboard values", key), lambda: page_values(numbers))

        return values

    async def _values(self, actor: Actor) -> dict[str, Any] | None:
        return await self._view(actor)()

    async def _reload(self) -> rx.event.EventSpec | None:
        values = await self._act(self._values, refuse=self._failed)
        if isinstance(values, Refused):
            return values.event
        assign(self, **values)
        return None
