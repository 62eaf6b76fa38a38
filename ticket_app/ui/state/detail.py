"""One ticket at /tickets/{id}: its full text, its times, what the classifier suggested, and
edits of category, priority and status that each send only the field that changed."""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.services import tickets
from ticket_app.services.errors import NotFound, ServiceError
from ticket_app.services.schemas import validate_patch, validate_ticket_id
from ticket_app.ui.labels import CATEGORY_LABELS, FIELD_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.live import get_watcher
from ticket_app.ui.state.live import LiveState
from ticket_app.ui.state.messages import describe
from ticket_app.ui.state.views import TicketView, to_view

VALUE_LABELS = {"category": CATEGORY_LABELS, "priority": PRIORITY_LABELS, "status": STATUS_LABELS}
EMPTY = TicketView(0, "", "", "", "", "", "", "", "", "")


class DetailState(LiveState, rx.State):
    """The /tickets/[ticket_id] page."""

    ticket: TicketView = EMPTY
    found: bool = False
    loaded: bool = False
    error: str = ""
    _ticket_id: int = 0

    @rx.var
    def suggestion_verdict(self) -> str:
        """How the final values compare with what the classifier proposed."""
        ticket = self.ticket
        if not ticket.suggested_category:
            return "No suggestion was stored for this ticket."
        changed = [
            FIELD_LABELS[name].lower()
            for name, final, suggested in (
                ("category", ticket.category, ticket.suggested_category),
                ("priority", ticket.priority, ticket.suggested_priority),
            )
            if final != suggested
        ]
        if not changed:
            return "The final category and priority match the suggestion."
        verb = "differs" if len(changed) == 1 else "differ"
        return f"The final {' and '.join(changed)} {verb} from the suggestion."

    @rx.event
    async def load(self) -> rx.EventHandler | None:
        """on_load: the id comes from the URL, so it is checked like any browser input."""
        self.error = ""
        try:
            self._ticket_id = validate_ticket_id(self._id_from_url())
        except ServiceError:  # not a valid id, or beyond any id: no such ticket either way
            self._show_missing()
            return None
        return await self._load_and_watch()

    def _id_from_url(self) -> str:
        """The last segment of /tickets/{id}: the route's only parameter."""
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _show_missing(self) -> None:
        self.ticket = EMPTY
        self.found = False
        self.loaded = True

    async def _reload(self) -> None:
        try:
            ticket = await asyncio.to_thread(tickets.get_ticket, self._ticket_id)
        except NotFound:
            self._show_missing()
            return
        except ServiceError as error:
            self.error = describe(error)
            return
        self.ticket = to_view(ticket)
        self.found = True
        self.loaded = True
        self.error = ""

    async def _update(self, field: str, value: Any) -> rx.event.EventSpec | None:
        """PATCH one field of the shown ticket, validated exactly like the REST API."""
        if not self.found:
            return None
        try:
            patch = validate_patch({field: value})
            ticket = await asyncio.to_thread(tickets.update_ticket, self._ticket_id, patch)
        except NotFound:
            self._show_missing()
            return rx.toast.error("This ticket was deleted.")
        except ServiceError as error:
            return rx.toast.error(describe(error))
        get_watcher().nudge()
        self.ticket = to_view(ticket)
        label = VALUE_LABELS[field][getattr(ticket, field)]
        return rx.toast.success(f"{FIELD_LABELS[field]} set to {label}.")

    @rx.event
    async def set_category(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("category", value)

    @rx.event
    async def set_priority(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("priority", value)

    @rx.event
    async def set_status(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("status", value)

    @rx.event
    async def retry(self) -> None:
        await self._reload()
