"""The ticket list: filters and order that live in the URL, one page of rows, inline triage.

The URL is the source of the filters when the page opens (so a filtered view can be bookmarked
and shared); a change made on the page is applied in the same round trip and the address is
kept in step by replacing the history entry, without a second load. Only the current page of
rows is kept in the state; paging walks the service's keyset cursors, remembering the cursor
of each page start to come back to it.
"""

import asyncio
import json
from typing import Any
from urllib.parse import quote, urlencode

import reflex as rx

from ticket_app.services import tickets, users
from ticket_app.services.access import Actor, Permission
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import (
    FILTER_PARAMETERS,
    TicketFilters,
    parse_filters,
    validate_patch,
    validate_ticket_id,
)
from ticket_app.ui.labels import STATUS_LABELS
from ticket_app.ui.shared_reads import audience, get_shared_reads
from ticket_app.ui.state.live import LiveState, write
from ticket_app.ui.state.messages import describe, field_messages
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.views import NOBODY, TicketRow, to_rows

ROUTE = "/tickets"
PAGE_SIZE = 25
ALL = "all"  # the select value that means "no restriction" (Radix items cannot be "")
FILTER_VARS = {  # URL parameter -> the state var that shows it
    "category": "category_filter",
    "priority": "priority_filter",
    "status": "status_filter",
    "search": "search",
    "assignee": "assignee_filter",
    "sort": "sort_order",
}
QUICK_VIEWS = {  # built-in views every agent has: label -> filters
    "My open tickets": {"assignee": "me", "status": "open,in_progress"},
    "Unassigned": {"assignee": "none", "status": "open,in_progress"},
    "Critical and open": {"priority": "critical", "status": "open,in_progress"},
}


def list_url(params: dict[str, str]) -> str:
    """The list's URL for these filters; empty ones are left out, commas stay readable."""
    query = urlencode(
        {key: params[key] for key in FILTER_PARAMETERS if params.get(key)},
        safe=",",
        quote_via=quote,
    )
    return f"{ROUTE}?{query}" if query else ROUTE


def read_filters(params: dict[str, Any]) -> tuple[TicketFilters, dict[str, str], str]:
    """Filters from URL parameters through the API's own parser.

    Returns the filters, the parameters that were kept, and a warning naming any that were
    ignored because they are not valid (a hand-edited or outdated link still opens).
    """
    kept = {key: params[key] for key in FILTER_VARS if isinstance(params.get(key), str)}
    try:
        return parse_filters(**kept), kept, ""
    except InvalidInput as error:
        warning = "Ignored from the link: " + " ".join(field_messages(error).values())
        for item in error.errors:
            kept.pop(item.field, None)
    return parse_filters(**kept), kept, warning


def _read_page(
    actor: Actor, filters: TicketFilters, cursor: str | None
) -> tuple[tickets.Page, list[TicketRow]]:
    """One page of the list and its rows: what every tab showing this view shares."""
    result = tickets.list_tickets(actor, filters, PAGE_SIZE, cursor)
    return result, to_rows(result.items)


class TicketsState(LiveState, SessionState):
    """The /tickets page."""

    rows: list[TicketRow] = rx.field(default_factory=list)
    total: int = 0
    total_capped: bool = False
    page: int = 1
    has_next: bool = False
    category_filter: str = ""
    priority_filter: str = ""
    status_filter: str = ""
    search: str = ""
    assignee_filter: str = ""
    sort_order: str = ""
    filter_error: str = ""
    warning: str = ""
    assignees: list[dict[str, str]] = rx.field(default_factory=list)
    _staff: list[dict[str, str]] = rx.field(default_factory=list, is_var=False)
    _filters: TicketFilters = TicketFilters()
    _page_cursors: list[str | None] = rx.field(default_factory=lambda: [None], is_var=False)
    _next_cursor: str | None = None

    @rx.var
    def has_filters(self) -> bool:
        return bool(
            self.category_filter
            or self.priority_filter
            or self.status_filter
            or self.search
            or self.assignee_filter
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

    @rx.var
    def quick_views(self) -> list[dict[str, str]]:
        """The built-in views as links, marking the one shown."""
        shown = (
            self.category_filter,
            self.priority_filter,
            self.status_filter,
            self.search,
            self.assignee_filter,
            self.sort_order,
        )
        current = dict(zip(FILTER_VARS, shown, strict=True))
        return [
            {
                "label": label,
                "url": list_url(params),
                "current": "yes" if {k: v for k, v in current.items() if v} == params else "",
            }
            for label, params in QUICK_VIEWS.items()
        ]

    def _params(self) -> dict[str, str]:
        return {name: getattr(self, var) for name, var in FILTER_VARS.items()}

    def _show_filters(self, kept: dict[str, str]) -> None:
        for name, var in FILTER_VARS.items():
            setattr(self, var, kept.get(name, ""))

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: read the filters from the URL, show page one, then keep it live."""
        self._filters, kept, self.warning = read_filters(dict(self.router.url.query_parameters))
        self._show_filters(kept)
        self.filter_error = ""
        self._first_page()
        return await self._load_and_watch()

    def _first_page(self) -> None:
        self.page = 1
        self._page_cursors = [None]

    async def _assignable(self, actor: Actor, rows: list[TicketRow]) -> None:
        """Who the assignee selects offer: active agents and admins, plus anyone a shown
        ticket is still assigned to (a deactivated agent stays visible until reassigned)."""
        if not actor.can(Permission.TRIAGE):
            return
        if not self._staff:
            people = await asyncio.to_thread(users.assignable, actor)
            self._staff = [{"id": str(p.id), "name": p.name} for p in people]
        listed = {person["id"] for person in self._staff}
        extra = {
            row.assignee_id: row.assignee_name
            for row in rows
            if row.assignee_id != NOBODY and row.assignee_id not in listed
        }
        assignees = self._staff + [{"id": k, "name": v} for k, v in extra.items()]
        if assignees != self.assignees:  # unchanged, it is not sent again at every reload
            self.assignees = assignees

    async def _reload(self) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        cursor = self._page_cursors[self.page - 1]
        filters = self._filters
        personal = actor.id if "me" in (filters.assignee, filters.requester) else None
        key = ("list", audience(actor), personal, filters, cursor)
        try:
            result, shared_rows = await get_shared_reads().read(
                key, lambda: _read_page(actor, filters, cursor), self.router.session.client_token
            )
            rows = list(shared_rows)
            await self._assignable(actor, rows)
        except ServiceError as error:
            self.error = describe(error)
            return None
        if not rows and self.page > 1:
            # The tickets of this page are gone (deleted or re-filtered): back to the start.
            self._first_page()
            return await self._reload()
        self.rows = rows
        self.total = result.total
        self.total_capped = result.total_capped
        self._next_cursor = result.next_cursor
        self.has_next = result.next_cursor is not None
        self.error = ""
        self.loaded = True
        return None

    async def _apply(self, field: str, value: Any) -> rx.event.EventSpec | None:
        """Validate the changed filter like the API does, show the new first page, and put
        the filters in the address (one round trip; the history entry is replaced)."""
        if not isinstance(value, str):
            return None
        params = {**self._params(), field: value}
        try:
            filters = parse_filters(**params)
        except InvalidInput as error:
            self.filter_error = " ".join(field_messages(error).values())
            return None
        self.filter_error = self.warning = ""
        self._show_filters(params)
        self._filters = filters
        self._first_page()
        if (event := await self._reload()) is not None:
            return event
        url = json.dumps(list_url(params))
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {url})")

    @rx.event
    async def set_category_filter(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("category", "" if value == ALL else value)

    @rx.event
    async def set_priority_filter(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("priority", "" if value == ALL else value)

    @rx.event
    async def set_status_filter(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("status", "" if value == ALL else value)

    @rx.event
    async def set_assignee_filter(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("assignee", "" if value == ALL else value)

    @rx.event
    async def set_sort_order(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("sort", "" if value == "newest" else value)

    @rx.event
    async def set_search(self, value: str) -> rx.event.EventSpec | None:
        """Debounced in the browser; the text goes to the URL as typed, trimmed by the parser."""
        return await self._apply("search", value)

    @rx.event
    def clear_filters(self) -> rx.event.EventSpec:
        return rx.redirect(ROUTE, replace=True)

    @rx.event
    async def next_page(self) -> rx.event.EventSpec | None:
        if not self.has_next:
            return None
        self._page_cursors = [*self._page_cursors[: self.page], self._next_cursor]
        self.page += 1
        return await self._reload()

    @rx.event
    async def previous_page(self) -> rx.event.EventSpec | None:
        if self.page <= 1:
            return None
        self.page -= 1
        return await self._reload()

    async def _change(self, ticket_id: Any, changes: dict[str, Any]) -> rx.event.EventSpec:
        """Inline triage on a row: sends only the changed field, validated like a PATCH."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        try:
            ident = validate_ticket_id(ticket_id)
            patch = validate_patch(changes)
            ticket = await write(tickets.update_ticket, actor, ident, patch)
            rows = await asyncio.to_thread(to_rows, [ticket])
        except ServiceError as error:
            return rx.toast.error(describe(error))
        self.rows = [rows[0] if row.id == ticket.id else row for row in self.rows]
        if "status" in changes:
            label = STATUS_LABELS[ticket.status].lower()
            return rx.toast.success(f"Ticket #{ticket.id} is now {label}.")
        who = rows[0].assignee_name or "nobody"
        return rx.toast.success(f"Ticket #{ticket.id} is assigned to {who}.")

    @rx.event
    async def change_status(self, ticket_id: int, status: str) -> rx.event.EventSpec:
        return await self._change(ticket_id, {"status": status})

    @rx.event
    async def change_assignee(self, ticket_id: int, assignee: str) -> rx.event.EventSpec:
        """`assignee` is a user id as text, or NOBODY (the select's "Nobody")."""
        if not isinstance(assignee, str) or not (assignee == NOBODY or assignee.isdigit()):
            return rx.toast.error("Choose someone from the list.")
        chosen = None if assignee == NOBODY else int(assignee)
        return await self._change(ticket_id, {"assignee_id": chosen})
