"""The status board: one column per status with its count, cards paged by cursor per column.

The list's filters, search and order apply (`filters.py`); a status filter shows only its
columns. Each column is the list's own query for its status, so the board opens as fast at a
million tickets as at ten and a column's "Load more" costs what its first page did. Moving a
card (dropped on another column, or its "Move to" select) changes the ticket's status, with
its history, and every open board and list follows live.
"""

import asyncio
from dataclasses import dataclass, field, replace
from typing import final

import reflex as rx

from ticket_app.domain import Status
from ticket_app.services import tickets
from ticket_app.services.access import Actor
from ticket_app.services.schemas import PAGE_LIMIT_MAX, TicketRead
from ticket_app.ui import browser, routes
from ticket_app.ui.labels import STATUS_LABELS
from ticket_app.ui.state.filters import FilterState
from ticket_app.ui.state.live import LiveState, change_field
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.rows import TicketRow, to_rows

COLUMN_PAGE = 50
COLUMN_MAX = 500  # a column shows at most this many cards; the list pages further


@dataclass(frozen=True)
class BoardColumn:
    """One status: its cards (as list rows), how many there are, and whether more follow."""

    status: str
    label: str
    count: str
    cards: list[TicketRow] = field(default_factory=list)
    has_more: bool = False


@final
class BoardState(FilterState, LiveState, SessionState):
    """The /board page."""

    ROUTE = routes.BOARD
    columns: list[BoardColumn] = rx.field(default_factory=list)
    dragging: int = 0
    _shown: dict[str, int] = rx.field(default_factory=dict, is_var=False)

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: the filters from the address, the first page of every column, then live."""
        await self._read_address()
        self._shown = {}
        return await self._load_and_watch()

    def _statuses(self) -> list[Status]:
        return list(self._filters.status) or list(Status)

    async def _column(self, actor: Actor, status: Status) -> BoardColumn:
        limit = self._shown.get(status.value, COLUMN_PAGE)
        filters = replace(self._filters, status=(status,))
        first: tickets.Page | None = None
        cards: list[TicketRead] = []
        cursor: str | None = None
        while first is None or (cursor and len(cards) < limit):  # past one query's limit
            page = await asyncio.to_thread(
                tickets.list_tickets,
                actor,
                filters=filters,
                limit=min(limit - len(cards), PAGE_LIMIT_MAX),
                cursor=cursor,
            )
            first = first or page
            cards, cursor = cards + page.items, page.next_cursor
        count = f"{first.total:,}+" if first.total_capped else f"{first.total:,}"
        return BoardColumn(
            status=status.value,
            label=STATUS_LABELS[status],
            count=count,
            cards=await asyncio.to_thread(to_rows, cards),
            has_more=cursor is not None and len(cards) < COLUMN_MAX,
        )

    async def _read(self, actor: Actor) -> None:
        self.columns = [await self._column(actor, status) for status in self._statuses()]
        await self._assignable(actor, [card for column in self.columns for card in column.cards])

    async def _reload(self) -> rx.event.EventSpec | None:
        read = await self._act(self._read, refuse=self._failed)
        if isinstance(read, Refused):
            return read.event
        self.error = ""
        self.loaded = True
        return None

    async def _refilter(self) -> rx.event.EventSpec | None:
        self._shown = {}
        return await self._reload()

    @rx.event
    async def more(self, status: str) -> rx.event.EventSpec | None:
        """The next COLUMN_PAGE cards of one column."""
        if status not in {s.value for s in Status}:
            return None
        shown = self._shown.get(status, COLUMN_PAGE)
        self._shown = {**self._shown, status: min(shown + COLUMN_PAGE, COLUMN_MAX)}
        return await self._reload()

    @rx.event
    async def move(self, ticket_id: int, status: str) -> rx.event.EventSpec | None:
        """Move a card to another column: the ticket takes that status."""
        ticket = await self._act(change_field, ticket_id=ticket_id, field="status", value=status)
        if isinstance(ticket, Refused):
            return ticket.event
        await self._reload()
        return browser.success(
            f"Ticket #{ticket.id} moved to {STATUS_LABELS[ticket.status].lower()}."
        )

    @rx.event
    def start_drag(self, ticket_id: int) -> None:
        if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):
            self.dragging = ticket_id

    @rx.event
    def end_drag(self) -> None:
        self.dragging = 0

    @rx.event
    async def drop(self, status: str) -> rx.event.EventSpec | None:
        """A dragged card let go over a column."""
        ticket_id, self.dragging = self.dragging, 0
        if not ticket_id:
            return None
        return await self.move(ticket_id, status)
