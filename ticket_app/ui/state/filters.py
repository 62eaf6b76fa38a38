"""The filters, search and order shared by the list and the board, kept in the page's address.

The address is the source of the filters when a page opens (so a filtered view can be
bookmarked and shared); a change made on the page is validated like the API's query string,
applied in the same round trip, and the address kept in step by replacing the history entry,
without a second load. A page state mixes this in and says what a change does (`_refilter`).
"""

import asyncio
from typing import Any, ClassVar

import reflex as rx

from ticket_app.services import users
from ticket_app.services.access import Actor, Permission
from ticket_app.services.errors import InvalidInput
from ticket_app.services.schemas import TicketFilters, parse_filters
from ticket_app.ui import browser, routes
from ticket_app.ui.messages import describe
from ticket_app.ui.viewmodels.rows import NOBODY, TicketRow, TicketView

ALL = "all"  # the select value that means "no restriction" (Radix items cannot be "")
FILTER_VARS = {  # URL parameter -> the state var that shows it
    "category": "category_filter",
    "priority": "priority_filter",
    "status": "status_filter",
    "search": "search",
    "assignee": "assignee_filter",
    "requester": "requester_filter",
    "sort": "sort_order",
    "sla": "sla_filter",
}


def read_filters(params: dict[str, Any]) -> tuple[TicketFilters, dict[str, str], str]:
    """Filters from URL parameters through the API's own parser.

    Returns the filters, the parameters that were kept, and a warning naming any that were
    ignored because they are not valid (a hand-edited or outdated link still opens).
    """
    kept = {key: params[key] for key in FILTER_VARS if isinstance(params.get(key), str)}
    try:
        return parse_filters(**kept), kept, ""
    except InvalidInput as error:
        warning = "Ignored from the link: " + describe(error)
        for item in error.errors:
            kept.pop(item.field, None)
    return parse_filters(**kept), kept, warning


def assignee_options(
    staff: list[dict[str, str]], rows: list[TicketRow] | list[TicketView]
) -> list[dict[str, str]]:
    """Who the assignee selects offer: active agents and admins, plus anyone a shown ticket
    is still assigned to (a deactivated agent stays visible until reassigned)."""
    listed = {person["id"] for person in staff}
    extra = {
        row.assignee_id: row.assignee_name
        for row in rows
        if row.assignee_id != NOBODY and row.assignee_id not in listed
    }
    return staff + [{"id": k, "name": v} for k, v in extra.items()]


class AssigneesState(rx.State, mixin=True):
    """Who the assignee selects of a page offer (the list, the board, a ticket)."""

    assignees: list[dict[str, str]] = rx.field(default_factory=list)
    _staff: list[dict[str, str]] = rx.field(default_factory=list, is_var=False)

    async def _load_staff(self, actor: Actor) -> None:
        """Who may be assigned, read once per page state (for a viewer who triages)."""
        if actor.can(Permission.TRIAGE) and not self._staff:
            people = await asyncio.to_thread(users.assignable, actor)
            self._staff = [{"id": str(p.id), "name": p.name} for p in people]

    async def _assignable(self, actor: Actor, rows: list[TicketRow] | list[TicketView]) -> None:
        """The assignee selects' options for these rows (`assignee_options`)."""
        if not actor.can(Permission.TRIAGE):
            return
        await self._load_staff(actor)
        assignees = assignee_options(self._staff, rows)
        if assignees != self.assignees:  # unchanged, it is not sent again at every reload
            self.assignees = assignees

    def _assignee_name(self, value: str) -> str:
        """The name an assignee select shows for `value` ("nobody" for NOBODY)."""
        names = {person["id"]: person["name"] for person in self.assignees}
        return names.get(value, "nobody")


class FilterState(AssigneesState, mixin=True):
    """The filter bar's values and handlers; the page state provides ROUTE and `_refilter`."""

    ROUTE: ClassVar[str] = routes.TICKETS
    category_filter: str = ""
    priority_filter: str = ""
    status_filter: str = ""
    search: str = ""
    assignee_filter: str = ""
    requester_filter: str = ""
    requester_name: str = ""  # what the filter bar calls `requester_filter` (a link has an id)
    sort_order: str = ""
    sla_filter: str = ""
    filter_error: str = ""
    warning: str = ""
    _filters: TicketFilters = TicketFilters()

    @rx.var
    def has_filters(self) -> bool:
        return bool(
            self.category_filter
            or self.priority_filter
            or self.status_filter
            or self.search
            or self.assignee_filter
            or self.requester_filter
            or self.sla_filter
        )

    @rx.var
    def filter_query(self) -> str:
        """The filters as a query string, for links that carry them (export, other pages)."""
        shown = (
            self.category_filter,
            self.priority_filter,
            self.status_filter,
            self.search,
            self.assignee_filter,
            self.requester_filter,
            self.sort_order,
            self.sla_filter,
        )
        return routes.filtered_url("", dict(zip(FILTER_VARS, shown, strict=True))).lstrip("?")

    def _params(self) -> dict[str, str]:
        return {name: getattr(self, var) for name, var in FILTER_VARS.items()}

    def _show_filters(self, kept: dict[str, str]) -> None:
        for name, var in FILTER_VARS.items():
            setattr(self, var, kept.get(name, ""))

    async def _read_address(self) -> None:
        """on_load: the filters from the page's address (a warning for what was ignored)."""
        self._filters, kept, self.warning = read_filters(dict(self.router.url.query_parameters))
        self._show_filters(kept)
        self.filter_error = ""
        await self._name_requester()

    async def _name_requester(self) -> None:
        """The requester filter's name for staff ("their tickets" links carry a user id); a
        requester, who may only ask for their own, is never told whose an id is."""
        value = self.requester_filter
        self.requester_name = "Me" if value == "me" else f"#{value}" if value else ""
        if not value.isdigit() or not 0 < int(value) < 2**31:
            return
        actor = await self._actor()
        if actor is not None and actor.can(Permission.READ_ALL):
            person = (await asyncio.to_thread(users.people, {int(value)})).get(int(value))
            if person is not None:
                self.requester_name = person.name

    async def _refilter(self) -> rx.event.EventSpec | None:
        """Show the page anew for the changed filters; each page state provides it."""
        raise NotImplementedError

    async def _apply(self, field: str, value: Any) -> rx.event.EventSpec | None:
        """Validate the changed filter like the API does, show the page for it, and put the
        filters in the address (one round trip; the history entry is replaced)."""
        if not isinstance(value, str):
            return None
        params = {**self._params(), field: value}
        try:
            filters = parse_filters(**params)
        except InvalidInput as error:
            self.filter_error = describe(error)
            return None
        self.filter_error = self.warning = ""
        self._show_filters(params)
        self._filters = filters
        if (event := await self._refilter()) is not None:
            return event
        return browser.show_address(routes.filtered_url(self.ROUTE, params))

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
    async def clear_requester_filter(self) -> rx.event.EventSpec | None:
        """The requester filter comes from a link; the filter bar can only take it away."""
        self.requester_name = ""
        return await self._apply("requester", "")

    @rx.event
    async def set_sort_order(self, value: str) -> rx.event.EventSpec | None:
        return await self._apply("sort", "" if value == "newest" else value)

    @rx.event
    async def set_sla_filter(self, value: str) -> rx.event.EventSpec | None:
        """Breached or due within the hour; such a list is read in the order due."""
        if value != ALL:
            self.sort_order = ""
        return await self._apply("sla", "" if value == ALL else value)

    @rx.event
    async def set_search(self, value: str) -> rx.event.EventSpec | None:
        """Debounced in the browser; the text goes to the URL as typed, trimmed by the parser."""
        return await self._apply("search", value)

    @rx.event
    def clear_filters(self) -> rx.event.EventSpec:
        return browser.go(self.ROUTE, replace=True)
