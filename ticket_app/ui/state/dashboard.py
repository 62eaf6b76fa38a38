"""The dashboard's numbers: totals, breakdowns, tickets per day and the AI agreement share.

All of it comes from the service's counter-backed queries in one worker-thread call, and is
re-read only when the ticket revision moves.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import reflex as rx

from ticket_app.services import tickets
from ticket_app.services.errors import ServiceError
from ticket_app.services.schemas import Stats
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.state.live import LiveState
from ticket_app.ui.state.messages import describe
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS

DAYS = 30


@dataclass(frozen=True)
class Numbers:
    """Everything the dashboard shows, read together."""

    stats: Stats
    daily: list[tuple[date, int]]
    agreement: tickets.SuggestionAgreement


def read_numbers() -> Numbers:
    return Numbers(
        stats=tickets.get_stats(),
        daily=tickets.daily_counts(DAYS),
        agreement=tickets.suggestion_agreement(),
    )


def breakdown(
    counts: Mapping[str, int], labels: dict[str, str], colors: dict[str, str]
) -> list[dict[str, str | int]]:
    """Chart rows in the vocabulary's order, each with its label and the value's colour."""
    return [
        {"key": key, "name": label, "count": counts.get(key, 0), "fill": f"var(--{colors[key]}-9)"}
        for key, label in labels.items()
    ]


class DashboardState(LiveState, rx.State):
    """The /dashboard page."""

    total_tickets: int = 0
    open_tickets: int = 0
    average_per_day: float = 0.0
    agreed: int = 0
    suggested: int = 0
    agreement_share: str = "–"
    priority_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    category_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    status_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    daily_data: list[dict[str, str | int]] = rx.field(default_factory=list)
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> rx.EventHandler | None:
        """on_load: show the numbers, then keep them live."""
        return await self._load_and_watch()

    async def _reload(self) -> None:
        try:
            numbers = await asyncio.to_thread(read_numbers)
        except ServiceError as error:
            self.error = describe(error)
            return
        self._show(numbers)

    def _show(self, numbers: Numbers) -> None:
        stats = numbers.stats
        self.total_tickets = stats.total_tickets
        self.open_tickets = stats.open_tickets
        self.average_per_day = stats.avg_tickets_per_day
        self.priority_data = breakdown(stats.priority_breakdown, PRIORITY_LABELS, PRIORITY_COLORS)
        self.category_data = breakdown(stats.category_breakdown, CATEGORY_LABELS, CATEGORY_COLORS)
        self.status_data = breakdown(stats.status_breakdown, STATUS_LABELS, STATUS_COLORS)
        self.daily_data = [
            {"day": day.strftime("%b %-d"), "tickets": count} for day, count in numbers.daily
        ]
        share = numbers.agreement.share
        self.agreed = numbers.agreement.agreed
        self.suggested = numbers.agreement.suggested
        self.agreement_share = "–" if share is None else f"{share:.0%}"
        self.error = ""
        self.loaded = True

    @rx.event
    async def retry(self) -> None:
        await self._reload()
