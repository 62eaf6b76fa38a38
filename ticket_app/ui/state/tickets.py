"""The ticket list: filters in the address (`filters.py`), one page of rows, inline triage,
bulk changes to a selection, and saved views beside it.

Only the current page of rows is kept in the state; paging walks the service's keyset
cursors, remembering the cursor of each page start to come back to it. A selection is the
ticked ids, or "every ticket matching these filters" (the service caps it at 10,000); a bulk
change asks once, then runs as one all-or-nothing service call and says what it did.
"""

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Any, final

import reflex as rx

from ticket_app.models import utc_now
from ticket_app.services import bulk, tickets, views
from ticket_app.services.access import Actor, Permission
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import TicketFilters
from ticket_app.ui import browser, routes
from ticket_app.ui.labels import CATEGORY_LABELS, FIELD_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.live.kept_reads import standing
from ticket_app.ui.live.push import View
from ticket_app.ui.live.shared_reads import audience, get_shared_reads, revision_in_block
from ticket_app.ui.messages import describe
from ticket_app.ui.state.filters import FilterState, assignee_options
from ticket_app.ui.state.live import LiveState, assign, change_field
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.rows import NOBODY, TicketRow, due_now, to_rows

PAGE_SIZE = 25
BULK_FIELDS = {"status": STATUS_LABELS, "priority": PRIORITY_LABELS, "category": CATEGORY_LABELS}
VERBS = {"status": "moved to", "priority": "set to", "category": "filed under"}


@dataclass(frozen=True)
class ViewLink:
    """A saved (or built-in) view beside the list: where it goes and how many it shows."""

    id: int
    name: str
    url: str
    count: str
    built_in: bool
    shared: bool
    own: bool
    current: bool


def view_links(saved: list[views.ViewRead], actor: Actor, query: str) -> list[ViewLink]:
    return [
        ViewLink(
            id=view.id or 0,
            name=view.name,
            url=routes.with_query(routes.TICKETS, view.query),
            count=f"{view.count:,}+" if view.count_capped else f"{view.count:,}",
            built_in=view.built_in,
            shared=view.shared,
            own=view.owner_id == actor.id,
            current=views.canonical(view.query) == query,
        )
        for view in saved
    ]


def _read_page(
    actor: Actor, filters: TicketFilters, cursor: str | None
) -> tuple[tickets.Page, list[TicketRow]]:
    """One page of the list and its rows: what every tab showing this view shares."""
    result = tickets.list_tickets(actor, filters=filters, limit=PAGE_SIZE, cursor=cursor)
    return result, to_rows(result.items)


async def _counted_views(actor: Actor, tab: str) -> list[views.ViewRead]:
    """The views beside the list with their counts, each count read once for every tab of
    its audience: fifty agents with the list open count the built-in views once per change,
    not fifty times. A view naming "me" as assignee is counted, when tabs share a revision,
    for every assignee at once from the counters; a tab's own click counts its person's
    alone (cheaper for one), as does a view the counters cannot answer."""
    reads = get_shared_reads()
    key = ("views", actor.id)
    listed = await reads.read(
        key,
        standing(
            key,
            lambda revision: (revision.views, revision.access),
            lambda: views.list_views(actor, counted=False),
        ),
        tab,
    )

    async def counted(view: views.ViewRead) -> views.ViewRead:
        personal = views.personal(view.query)
        if personal and revision_in_block() is not None:
            per_assignee = await reads.read(
                ("view counts by assignee", audience(actor), view.query),
                partial(views.counts_by_assignee, actor, query=view.query),
                tab,
            )
            if per_assignee is not None:
                total = per_assignee.get(actor.id, 0)
                return view.model_copy(update={"count": total, "count_capped": False})
        whose = actor.id if personal else None
        key = ("view count", audience(actor), whose, view.query)
        total, capped = await reads.read(key, partial(views.count, actor, query=view.query), tab)
        return view.model_copy(update={"count": total, "count_capped": capped})

    return list(await asyncio.gather(*(counted(view) for view in listed)))


def _share(actor: Actor, *, view_id: int, shared: Any) -> bool:
    """Share a saved view with everyone, or stop; whether it is shared now."""
    patch = views.validate_view_patch({"shared": shared})
    views.update_view(actor, view_id=view_id, patch=patch)
    return bool(patch.shared)


@final
class TicketsState(FilterState, LiveState, SessionState):
    """The /tickets page."""

    rows: list[TicketRow] = rx.field(default_factory=list)
    total: int = 0
    total_capped: bool = False
    page: int = 1
    has_next: bool = False
    saved_views: list[ViewLink] = rx.field(default_factory=list)
    view_error: str = ""
    selected: list[int] = rx.field(default_factory=list)
    all_matching: bool = False
    pending_field: str = ""
    pending_value: str = ""
    pending_text: str = ""
    bulk_running: bool = False
    _page_cursors: list[str | None] = rx.field(default_factory=lambda: [None], is_var=False)
    _next_cursor: str | None = None

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
    def selection_count(self) -> int:
        return min(self.total, bulk.BULK_CAP) if self.all_matching else len(self.selected)

    @rx.var
    def selection_text(self) -> str:
        count = self.selection_count
        noun = "ticket" if count == 1 else "tickets"
        if self.all_matching:
            return f"All {count:,} {noun} matching these filters"
        return f"{count:,} {noun} selected"

    @rx.var
    def page_selected(self) -> bool:
        """Whether every row of this page is ticked."""
        ids = {row.id for row in self.rows}
        return bool(ids) and (self.all_matching or ids <= set(self.selected))

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: read the filters from the URL, show page one, then keep it live."""
        await self._read_address()
        self._first_page()
        self._clear_selection()
        return await self._load_and_watch()

    def _first_page(self) -> None:
        self.page = 1
        self._page_cursors = [None]

    def _clear_selection(self) -> None:
        self.selected = []
        self.all_matching = False
        self.pending_field = ""

    async def _refilter(self) -> rx.event.EventSpec | None:
        self._first_page()
        self._clear_selection()
        return await self._reload()

    def _view(self, actor: Actor) -> View:
        """The page of rows, its totals, the saved views and the assignee options, from the
        filters, page and viewer this tab shows: read once for every tab showing this view
        (`shared_reads`), and what a push recomputes without the state (`push.py`)."""
        cursor, page, filters, query = (
            self._page_cursors[self.page - 1],
            self.page,
            self._filters,
            self.filter_query,
        )
        staff, tab = list(self._staff), self.router.session.client_token
        personal = actor.id if "me" in (filters.assignee, filters.requester) else None
        key = ("list", audience(actor), personal, filters, cursor)

        async def values() -> dict[str, Any] | None:
            reads = get_shared_reads()
            result, shared_rows = await reads.read(
                key, lambda: _read_page(actor, filters, cursor), tab
            )
            if not shared_rows and page > 1:
                return None  # the tickets of this page are gone: back to page one
            saved = await _counted_views(actor, tab)
            shown: dict[str, Any] = {
                # The due badges as of now (a shared read may be older than the clock).
                "rows": reads.derive(
                    ("due rows", key, utc_now().replace(microsecond=0)),
                    lambda: due_now(shared_rows),
                ),
                "saved_views": reads.derive(
                    ("view links", actor.id, query), lambda: view_links(saved, actor, query)
                ),
                "total": result.total,
                "total_capped": result.total_capped,
                "has_next": result.next_cursor is not None,
                "_next_cursor": result.next_cursor,
                "error": "",
                "loaded": True,
            }
            if actor.can(Permission.TRIAGE):
                shown["assignees"] = assignee_options(staff, shared_rows)
            return shown

        return values

    async def _values(self, actor: Actor) -> dict[str, Any] | None:
        await self._load_staff(actor)
        return await self._view(actor)()

    async def _reload(self) -> rx.event.EventSpec | None:
        values = await self._act(self._values, refuse=self._failed)
        if isinstance(values, Refused):
            return values.event
        if values is None:
            self._first_page()
            return await self._reload()
        assign(self, **values)
        return None

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

    async def _change(self, ticket_id: Any, field: str, value: Any) -> rx.event.EventSpec | None:
        """Inline triage on a row: sends only the changed field, validated like a PATCH."""
        ticket = await self._act(change_field, ticket_id=ticket_id, field=field, value=value)
        if isinstance(ticket, Refused):
            return ticket.event
        row = (await asyncio.to_thread(to_rows, [ticket]))[0]
        self.rows = [row if shown.id == ticket.id else shown for shown in self.rows]
        if field == "status":
            label = STATUS_LABELS[ticket.status].lower()
            return browser.success(f"Ticket #{ticket.id} is now {label}.")
        who = row.assignee_name or "nobody"
        return browser.success(f"Ticket #{ticket.id} is assigned to {who}.")

    @rx.event
    async def change_status(self, ticket_id: int, status: str) -> rx.event.EventSpec | None:
        return await self._change(ticket_id, "status", status)

    @rx.event
    async def change_assignee(self, ticket_id: int, assignee: str) -> rx.event.EventSpec | None:
        """`assignee` is a user id as text, or NOBODY (the select's "Nobody")."""
        if not isinstance(assignee, str) or not (assignee == NOBODY or assignee.isdigit()):
            return browser.error("Choose someone from the list.")
        return await self._change(ticket_id, "assignee_id", assignee)

    @rx.event
    def toggle(self, ticket_id: int) -> None:
        """Tick or untick one row (only ids shown on this page can be ticked)."""
        if self.all_matching or ticket_id not in {row.id for row in self.rows}:
            return
        chosen = set(self.selected) ^ {ticket_id}
        self.selected = sorted(chosen)

    @rx.event
    def toggle_page(self) -> None:
        """Tick every row of this page, or untick them when all are ticked."""
        ids = {row.id for row in self.rows}
        if self.all_matching:
            self._clear_selection()
        elif ids <= set(self.selected):
            self.selected = sorted(set(self.selected) - ids)
        else:
            self.selected = sorted(set(self.selected) | ids)

    @rx.event
    def select_all_matching(self) -> None:
        """Every ticket that matches the filters, not only the ticked ones (up to the cap)."""
        self.all_matching = True
        self.selected = []

    @rx.event
    def clear_selection(self) -> None:
        self._clear_selection()

    @rx.event
    def ask_bulk(self, field: str, value: str) -> None:
        """A bulk action picked: ask once before doing it (`field` "delete" for a delete)."""
        count = self.selection_count
        if not count:
            return
        if field == "delete":
            self.pending_text = f"Delete {count:,} tickets with their conversations? "
            self.pending_text += "This cannot be undone."
        elif field in BULK_FIELDS and value in BULK_FIELDS[field]:
            label = BULK_FIELDS[field][value]
            self.pending_text = f"Set the {FIELD_LABELS[field].lower()} of {count:,} tickets "
            self.pending_text += f"to {label}?"
        elif field == "assignee_id" and (value == NOBODY or value.isdigit()):
            self.pending_text = f"Assign {count:,} tickets to {self._assignee_name(value)}?"
        else:
            return
        self.pending_field, self.pending_value = field, value

    @rx.event
    def cancel_bulk(self) -> None:
        self.pending_field = ""

    def _bulk_request(self) -> dict[str, Any]:
        target: dict[str, Any] = (
            {"filters": {k: v for k, v in self._filters.query_params().items() if k != "sort"}}
            if self.all_matching
            else {"ids": self.selected}
        )
        if self.pending_field == "delete":
            return {**target, "delete": True}
        value: Any = self.pending_value
        if self.pending_field == "assignee_id":
            value = None if value == NOBODY else int(value)
        return {**target, "set": {self.pending_field: value}}

    def _done(self, changed: int) -> str:
        noun = "ticket" if changed == 1 else "tickets"
        if self.pending_field == "delete":
            return f"{changed:,} {noun} deleted."
        if self.pending_field == "assignee_id":
            return f"{changed:,} {noun} assigned to {self._assignee_name(self.pending_value)}."
        label = BULK_FIELDS[self.pending_field][self.pending_value].lower()
        return f"{changed:,} {noun} {VERBS[self.pending_field]} {label}."

    @rx.event
    async def run_bulk(self) -> rx.event.EventSpec | None:
        """The confirmation's "yes": one service call for the whole selection."""
        if not self.pending_field or self.bulk_running:
            return None
        self.bulk_running = True
        data = self._bulk_request()
        try:
            result = await self._act(
                lambda actor: bulk.bulk_change(actor, request=bulk.validate_bulk(data))
            )
        finally:
            self.bulk_running = False
        if isinstance(result, Refused):
            return result.event
        message = self._done(result.changed)
        if result.changed < result.matched:
            message += f" {result.matched - result.changed:,} already were."
        self._clear_selection()
        await self._reload()
        return browser.success(message)

    def _view_refused(self, error: ServiceError) -> rx.event.EventSpec | None:
        if isinstance(error, InvalidInput):
            self.view_error = describe(error)
            return None
        return browser.error(describe(error))

    @rx.event
    async def save_view(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        """Name the list's current filters, search and order."""
        data = {"name": form.get("name") if isinstance(form, dict) else None}
        data["query"] = self.filter_query
        view = await self._act(
            lambda actor: views.create_view(actor, data=views.validate_view(data)),
            refuse=self._view_refused,
        )
        if isinstance(view, Refused):
            return view.event
        self.view_error = ""
        await self._reload()
        return browser.success(f"View “{view.name}” saved.")

    @rx.event
    async def share_view(self, view_id: int, shared: bool) -> rx.event.EventSpec | None:
        """Admins: show a view to everyone beside their list, or stop (the service checks)."""
        if not isinstance(view_id, int) or isinstance(view_id, bool):
            return None
        now_shared = await self._act(_share, view_id=view_id, shared=shared)
        if isinstance(now_shared, Refused):
            return now_shared.event
        await self._reload()
        return browser.success(
            "Everyone now sees this view." if now_shared else "Only you see this view now."
        )

    @rx.event
    async def delete_view(self, view_id: int) -> rx.event.EventSpec | None:
        if not isinstance(view_id, int) or isinstance(view_id, bool):
            return None
        done = await self._act(views.delete_view, view_id=view_id)
        if isinstance(done, Refused):
            return done.event
        await self._reload()
        return browser.success("View deleted.")
