"""One ticket at /tickets/{id}: its text, triage, and the conversation with its history.

Edits send only the field that changed, with the version the page shows: if another agent
changed that very field meanwhile, the page shows their value and asks before overwriting it;
a change of another field is simply kept and the edit goes through on the new version.
The timeline opens at its newest entries (the reply box above them) and pages back.
"""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.services import comments, tickets, timeline, users
from ticket_app.services.access import Actor, Permission
from ticket_app.services.errors import InvalidInput, NotFound, ServiceError, VersionMismatch
from ticket_app.services.schemas import validate_patch, validate_ticket_id
from ticket_app.ui import browser
from ticket_app.ui.labels import CATEGORY_LABELS, FIELD_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.shared_reads import audience, get_shared_reads
from ticket_app.ui.state.duplicates import ticket_id_in
from ticket_app.ui.state.live import LiveState, write
from ticket_app.ui.state.messages import describe, field_messages
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.timeline import TimelineItem, to_items
from ticket_app.ui.state.views import NOBODY, TicketView, to_view

VALUE_LABELS = {"category": CATEGORY_LABELS, "priority": PRIORITY_LABELS, "status": STATUS_LABELS}
TIMELINE_PAGE = 30
EDITABLE = ("status", "category", "priority", "assignee_id")


def _read_ticket(
    actor: Actor, ticket_id: int
) -> tuple[TicketView, timeline.Timeline, list[TimelineItem]]:
    """The ticket and the newest page of its timeline: what every tab on it shares."""
    view = to_view(tickets.get_ticket(actor, ticket_id))
    newest = timeline.timeline(actor, ticket_id, TIMELINE_PAGE, None, True)
    return view, newest, to_items(newest.entries)


class DetailState(LiveState, SessionState):
    """The /tickets/[ticket_id] page."""

    ticket: TicketView = TicketView()
    found: bool = False
    items: list[TimelineItem] = rx.field(default_factory=list)
    has_older: bool = False
    reply_public: bool = True
    reply_error: str = ""
    sending: bool = False
    assignees: list[dict[str, str]] = rx.field(default_factory=list)
    conflict_field: str = ""
    conflict_theirs: str = ""
    conflict_mine: str = ""
    confirming_delete: bool = False
    _ticket_id: int = 0
    _older_cursor: str | None = None
    _pending: tuple[str, Any] | None = None

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

    @rx.var
    def can_take(self) -> bool:
        """Staff see "Take it" on a ticket not already theirs (merged ones are done with)."""
        return (
            self.is_staff
            and self.ticket.assignee_id != str(self.viewer_id)
            and not self.ticket.merged_into_id
        )

    @rx.var
    def can_close(self) -> bool:
        return self.ticket.status not in ("resolved", "closed") and not self.ticket.merged_into_id

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: the id comes from the URL, so it is checked like any browser input."""
        self.error = ""
        self.reply_error = ""
        self.conflict_field = ""
        self.items = []
        try:
            self._ticket_id = validate_ticket_id(ticket_id_in(self.router.url.path))
        except ServiceError:  # not a valid id, or beyond any id: no such ticket either way
            self._show_missing()
            return None
        return await self._load_and_watch()

    def _show_missing(self) -> None:
        self.ticket = TicketView()
        self.found = False
        self.items = []
        self.loaded = True

    def _show(self, view: TicketView) -> None:
        self.ticket = view
        self.found = True
        self.loaded = True
        self.error = ""

    def _offer_assignee(self, view: TicketView) -> None:
        """Keep the current assignee choosable even when no longer an active agent."""
        if view.assignee_id == NOBODY or not self.is_staff:
            return
        if all(person["id"] != view.assignee_id for person in self.assignees):
            self.assignees = [*self.assignees, {"id": view.assignee_id, "name": view.assignee_name}]

    async def _reload(self) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        try:
            if actor.can(Permission.TRIAGE) and not self.assignees:
                people = await asyncio.to_thread(users.assignable, actor)
                self.assignees = [{"id": str(p.id), "name": p.name} for p in people]
            ticket_id = self._ticket_id
            view, newest, shared_items = await get_shared_reads().read(
                ("ticket", audience(actor), ticket_id),
                lambda: _read_ticket(actor, ticket_id),
                self.router.session.client_token,
            )
            fresh = list(shared_items)
        except NotFound:
            self._show_missing()
            return None
        except ServiceError as error:
            self.error = describe(error)
            return None
        self._show(view)
        self._offer_assignee(view)
        oldest_fresh = fresh[-1].id if fresh else 0
        kept = [item for item in self.items if oldest_fresh and item.id < oldest_fresh]
        self.items = fresh + kept
        if not kept:
            self._older_cursor = newest.next_cursor
            self.has_older = newest.next_cursor is not None
        return None

    @rx.event
    async def show_older(self) -> rx.event.EventSpec | None:
        """The next (older) page of the timeline, below the ones shown."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        if not self._older_cursor:
            return None
        try:
            older = await asyncio.to_thread(
                timeline.timeline, actor, self._ticket_id, TIMELINE_PAGE, self._older_cursor, True
            )
            self.items = self.items + await asyncio.to_thread(to_items, older.entries)
        except ServiceError as error:
            return browser.error(describe(error))
        self._older_cursor = older.next_cursor
        self.has_older = older.next_cursor is not None
        return None

    def _shown(self, field: str) -> str:
        return getattr(self.ticket, field)

    def _label(self, field: str, value: str) -> str:
        if field == "assignee_id":
            names = {person["id"]: person["name"] for person in self.assignees}
            return names.get(value, "nobody") if value != NOBODY else "nobody"
        return VALUE_LABELS[field].get(value, value)

    async def _update(self, field: str, value: Any, force: bool = False) -> rx.event.EventSpec:
        """PATCH one field of the shown ticket, validated exactly like the REST API, based on
        the version shown (see the module docstring)."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        if not self.found or field not in EDITABLE or not isinstance(value, str):
            return browser.error("Reload the page to change this ticket.")
        seen = self._shown(field)
        stored: Any = value
        if field == "assignee_id":
            stored = None if value == NOBODY else int(value) if value.isdigit() else value
        try:
            patch = validate_patch({field: stored})
            await write(tickets.update_ticket, actor, self._ticket_id, patch, self.ticket.version)
        except VersionMismatch:
            return await self._conflict(actor, field, value, seen, force)
        except NotFound:
            self._show_missing()
            return browser.error("This ticket is gone (deleted, or no longer yours to see).")
        except ServiceError as error:
            return browser.error(describe(error))
        self.conflict_field = ""
        await self._reload()
        label = FIELD_LABELS[field]
        return browser.success(f"{label} set to {self._label(field, self._shown(field))}.")

    async def _conflict(
        self, actor: Actor, field: str, mine: str, seen: str, force: bool
    ) -> rx.event.EventSpec:
        """Someone changed the ticket since it was shown: refresh it, then either go on (they
        changed another field) or ask before overwriting their value of this one."""
        await self._reload()
        theirs = self._shown(field)
        if theirs == seen or force:
            return await self._update(field, mine)
        self.conflict_field = field
        self.conflict_theirs = self._label(field, theirs)
        self.conflict_mine = mine
        return browser.warning(
            f"Someone changed the {FIELD_LABELS[field].lower()} while you were looking."
        )

    @rx.event
    async def overwrite(self) -> rx.event.EventSpec | None:
        """The conflict dialog's "use mine": apply the agent's value over the other one."""
        if not self.conflict_field:
            return None
        field, mine = self.conflict_field, self.conflict_mine
        self.conflict_field = ""
        return await self._update(field, mine, force=True)

    @rx.event
    def keep_theirs(self) -> None:
        self.conflict_field = ""

    @rx.event
    async def set_category(self, value: str) -> rx.event.EventSpec:
        return await self._update("category", value)

    @rx.event
    async def set_priority(self, value: str) -> rx.event.EventSpec:
        return await self._update("priority", value)

    @rx.event
    async def set_status(self, value: str) -> rx.event.EventSpec:
        return await self._update("status", value)

    @rx.event
    async def set_assignee(self, value: str) -> rx.event.EventSpec:
        return await self._update("assignee_id", value)

    @rx.event
    async def take(self) -> rx.event.EventSpec:
        """ "Take it": the agent assigns the ticket to themselves in one click."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        return await self._update("assignee_id", str(actor.id))

    @rx.event
    def ask_delete(self, value: bool = True) -> None:
        """Open (or close) the dialog that asks before a ticket is deleted."""
        self.confirming_delete = value is True

    @rx.event
    async def delete_ticket(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        """Admins: delete the ticket with its conversation and history, then back to the list."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        self.confirming_delete = False
        try:
            await write(tickets.delete_ticket, actor, self._ticket_id)
        except NotFound:
            self._show_missing()
            return browser.error("This ticket is gone already.")
        except ServiceError as error:
            return browser.error(describe(error))
        return [
            browser.go("/tickets"),
            browser.success(f"Ticket #{self._ticket_id} was deleted."),
        ]

    @rx.event
    async def close_ticket(self) -> rx.event.EventSpec:
        """A requester's "Close this ticket" (the only change a requester may make)."""
        return await self._update("status", "closed")

    @rx.event
    def set_internal(self, value: bool) -> None:
        """The reply box's "Internal note" switch (the service refuses notes from requesters)."""
        self.reply_public = value is not True

    @rx.event
    async def send_reply(
        self, form_data: dict[str, Any]
    ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Post the reply or note; the text comes from the form, as the agent sees it."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        if self.sending or not self.found:
            return None
        body = form_data.get("reply") if isinstance(form_data, dict) else None
        public = self.reply_public or not actor.can(Permission.NOTES)
        try:
            data = comments.validate_comment({"body": body, "public": public})
        except InvalidInput as error:
            self.reply_error = field_messages(error).get("body", describe(error))
            return None
        self.sending = True
        try:
            await write(comments.add_comment, actor, self._ticket_id, data)
        except ServiceError as error:
            self.sending = False
            return browser.error(describe(error))
        self.sending = False
        self.reply_error = ""
        self.reply_public = True
        await self._reload()
        sent = "Reply sent." if data.public else "Internal note added."
        return [browser.clear_field("reply"), browser.success(sent)]
