"""The ticket list: filters that live in the URL, one page of rows, inline status changes.

The URL is the single source of the filters: changing one navigates (replacing the history
entry) to the new URL, and the page's on_load reads it back, so a filtered view can be
bookmarked and shared. Only the current page of rows is kept in the state; paging walks the
service's keyset cursors, remembering the cursor of each page start to come back to it.
"""

import asyncio
from typing import Any
from urllib.parse import quote, urlencode

import reflex as rx

from ticket_app.services import tickets
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import (
    TicketFilters,
    parse_filters,
    validate_patch,
    validate_ticket_id,
)
from ticket_app.ui.labels import STATUS_LABELS
from ticket_app.ui.live import get_watcher
from ticket_app.ui.state.live import LiveState
from ticket_app.ui.state.messages import describe, field_messages
from ticket_app.ui.state.views import TicketRow, to_row

ROUTE = "/tickets"
PAGE_SIZE = 25
ALL = "all"  # the select value that means "no restriction" (Radix items cannot be "")
FILTER_VARS = {  # URL parameter -> the state var that shows it
    "category": "category_filter",
    "priority": "priority_filter",
    "status": "status_filter",
    "search": "search",
}
URL_PARAMETERS = tuple(FILTER_VARS)


def list_url(params: dict[str, str]) -> str:
    """The list's URL for these filters; empty ones are left out, commas stay readable."""
    query = urlencode(
        {key: params[key] for key in URL_PARAMETERS if params.get(key)}, safe=",", quote_via=quote
    )
    return f"{ROUTE}?{query}" if query else ROUTE


def read_filters(params: dict[str, str]) -> tuple[TicketFilters, dict[str, str], str]:
    """Filters from URL parameters through the API's own parser.

    Returns the filters, the parameters that were kept, and a warning naming any that were
    ignored because they are not valid (a hand-edited or outdated link still opens).
    """
    kept = {key: params[key] for key in URL_PARAMETERS if isinstance(params.get(key), str)}
    try:
        return parse_filters(**kept), kept, ""
    except InvalidInput as error:
        warning = "Ignored from the link: " + " ".join(field_messages(error).values())
        for item in error.errors:
            kept.pop(item.field, None)
    return parse_filters(**kept), kept, warning


class TicketsState(LiveState, rx.State):
    """The /tickets page."""

    rows: list[TicketRow] = rx.field(default_factory=list)
    total: int = 0
    total_capped: bool = False
    page: int = 1
    has_next: bool = False
    loaded: bool = False
    category_filter: str = ""
    priority_filter: str = ""
    status_filter: str = ""
    search: str = ""
    filter_error: str = ""
    warning: str = ""
    error: str = ""
    _filters: TicketFilters = TicketFilters()
    _page_cursors: list[str | None] = rx.field(default_factory=lambda: [None], is_var=False)
    _next_cursor: str | None = None

    @rx.var
    def has_filters(self) -> bool:
        return bool(
            self.category_filter or self.priority_filter or self.status_filter or self.search
        )

    @rx.var
    def several_pages(self) -> bool:
        return self.page > 1 or self.has_next

    @rx.var
    def range_text(self) -> str:
        """'Showing 26–50 of 1,234 tickets'."""
        noun = "ticket" if self.total == 1 else "tickets"
        total = f"{self.total:,}+" if self.total_capped else f"{self.total:,}"
        if not self.rows:
            return f"{total} {noun}"
        first = (self.page - 1) * PAGE_SIZE + 1
        last = first + len(self.rows) - 1
        return f"Showing {first:,}–{last:,} of {total} {noun}"

    def _params(self) -> dict[str, str]:
        return {name: getattr(self, var) for name, var in FILTER_VARS.items()}

    @rx.event
    async def load(self) -> rx.EventHandler | None:
        """on_load: read the filters from the URL, show page one, then keep it live."""
        filters, kept, self.warning = read_filters(dict(self.router.url.query_parameters))
        self._filters = filters
        for name, var in FILTER_VARS.items():
            setattr(self, var, kept.get(name, ""))
        self.filter_error = ""
        self._first_page()
        return await self._load_and_watch()

    def _first_page(self) -> None:
        self.page = 1
        self._page_cursors = [None]

    async def _reload(self) -> None:
        cursor = self._page_cursors[self.page - 1]
        try:
            result = await asyncio.to_thread(tickets.list_tickets, self._filters, PAGE_SIZE, cursor)
        except ServiceError as error:
            self.error = describe(error)
            return
        if not result.items and self.page > 1:
            # The tickets of this page are gone (deleted or re-filtered): back to the start.
            self._first_page()
            await self._reload()
            return
        self.rows = [to_row(ticket) for ticket in result.items]
        self.total = result.total
        self.total_capped = result.total_capped
        self._next_cursor = result.next_cursor
        self.has_next = result.next_cursor is not None
        self.error = ""
        self.loaded = True

    def _navigate(self, field: str, value: Any) -> rx.event.EventSpec | None:
        """Validate the changed filter like the API does, then put the filters in the URL.

        The var changes at once too, so a second change made before the page reloads (a
        search typed right after picking a category) builds on the first.
        """
        if not isinstance(value, str):
            return None
        params = {**self._params(), field: value}
        try:
            parse_filters(**params)
        except InvalidInput as error:
            self.filter_error = " ".join(field_messages(error).values())
            return None
        self.filter_error = ""
        setattr(self, FILTER_VARS[field], value)
        return rx.redirect(list_url(params), replace=True)

    @rx.event
    def set_category_filter(self, value: str) -> rx.event.EventSpec | None:
        return self._navigate("category", "" if value == ALL else value)

    @rx.event
    def set_priority_filter(self, value: str) -> rx.event.EventSpec | None:
        return self._navigate("priority", "" if value == ALL else value)

    @rx.event
    def set_status_filter(self, value: str) -> rx.event.EventSpec | None:
        return self._navigate("status", "" if value == ALL else value)

    @rx.event
    def set_search(self, value: str) -> rx.event.EventSpec | None:
        """Debounced in the browser; the text goes to the URL as typed, trimmed by the parser."""
        return self._navigate("search", value)

    @rx.event
    def clear_filters(self) -> rx.event.EventSpec:
        return rx.redirect(ROUTE, replace=True)

    @rx.event
    async def next_page(self) -> None:
        if not self.has_next:
            return
        self._page_cursors = [*self._page_cursors[: self.page], self._next_cursor]
        self.page += 1
        await self._reload()

    @rx.event
    async def previous_page(self) -> None:
        if self.page <= 1:
            return
        self.page -= 1
        await self._reload()

    @rx.event
    async def retry(self) -> None:
        await self._reload()

    @rx.event
    async def change_status(self, ticket_id: int, status: str) -> rx.event.EventSpec:
        """Inline status change on a row: sends only the status, validated like a PATCH."""
        try:
            ident = validate_ticket_id(ticket_id)
            patch = validate_patch({"status": status})
            ticket = await asyncio.to_thread(tickets.update_ticket, ident, patch)
        except ServiceError as error:
            return rx.toast.error(describe(error))
        get_watcher().nudge()
        self.rows = [to_row(ticket) if row.id == ticket.id else row for row in self.rows]
        return rx.toast.success(
            f"Ticket #{ticket.id} is now {STATUS_LABELS[ticket.status].lower()}."
        )
