"""One ticket at /tickets/{id}: its text, triage, and the conversation with its history.

Edits send only the field that changed, with the version the page shows: if another agent
changed that very field meanwhile, the page shows their value and asks before overwriting it;
a change of another field is simply kept and the edit goes through on the new version.
The timeline opens at its newest entries (the reply box above them) and pages back.
"""

from collections.abc import Hashable
from typing import Any, final

import reflex as rx

from ticket_app.domain import DONE_STATUSES
from ticket_app.services import comments, notifications, revisions, sla, tickets, timeline
from ticket_app.services.access import Actor, sees_internal
from ticket_app.services.attachment_files import IncomingFile
from ticket_app.services.errors import InvalidInput, NotFound, ServiceError, VersionMismatch
from ticket_app.services.schemas import validate_ticket_id
from ticket_app.ui import browser, routes
from ticket_app.ui.labels import FIELD_LABELS
from ticket_app.ui.live.kept_reads import get_kept_reads
from ticket_app.ui.live.shared_reads import audience, get_shared_reads, revision_in_block
from ticket_app.ui.messages import describe, field_messages
from ticket_app.ui.state.assist import ReplyAssistState
from ticket_app.ui.state.attachments import AttachmentsState, files_message, incoming
from ticket_app.ui.state.filters import AssigneesState
from ticket_app.ui.state.live import LiveState, assign, change_field
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.rows import TicketView, to_view
from ticket_app.ui.viewmodels.sla import SlaTimerView, to_timer_views
from ticket_app.ui.viewmodels.timeline import VALUE_LABELS, TimelineItem, to_items

TIMELINE_PAGE = 30
REPLY_FILES = "reply-files"  # the reply box's upload zone
EDITABLE = ("status", "category", "priority", "assignee_id")


def _read_ticket(
    actor: Actor, ticket_id: int
) -> tuple[TicketView, timeline.Timeline, list[TimelineItem], list[SlaTimerView], str]:
    """The ticket, the newest page of its timeline and (staff) its service-level timers:
    what every tab on it shares."""
    view = to_view(tickets.get_ticket(actor, ticket_id=ticket_id))
    timers, rule = [], ""
    if sees_internal(actor):
        explained = sla.explain(actor, ticket_id=ticket_id)
        timers, rule = to_timer_views(explained), explained.rule
    return view, *_timeline(actor, ticket_id), timers, rule


def _ticket_mark(actor: Actor, ticket_id: int) -> Hashable | None:
    """The ticket's mark (`revisions.ticket_mark`): at a revision, read for every ticket kept
    for the viewer's audience in one query, which every open ticket page of the process
    shares; a ticket not among them (not yet kept, or not readable) is asked alone."""
    kept, revision, group = get_kept_reads(), revision_in_block(), audience(actor)
    if revision is None:
        return revisions.ticket_mark(actor, ticket_id)
    marks = kept.once(
        ("ticket marks", group),
        revision,
        lambda: revisions.ticket_marks(actor, kept.kept_ids(("ticket", group))),
    )
    return marks[ticket_id] if ticket_id in marks else revisions.ticket_mark(actor, ticket_id)


def _timeline(
    actor: Actor, ticket_id: int, cursor: str | None = None
) -> tuple[timeline.Timeline, list[TimelineItem]]:
    """A page of the ticket's timeline, newest first, and its entries as the page shows them."""
    page = timeline.timeline(
        actor, ticket_id=ticket_id, limit=TIMELINE_PAGE, cursor=cursor, newest_first=True
    )
    return page, to_items(page.entries, page.files)


@final
class DetailState(ReplyAssistState, AttachmentsState, AssigneesState, LiveState, SessionState):
    """The /tickets/[ticket_id] page."""

    ticket: TicketView = TicketView()
    found: bool = False
    items: list[TimelineItem] = rx.field(default_factory=list)
    sla_timers: list[SlaTimerView] = rx.field(default_factory=list)
    sla_rule: str = ""
    has_older: bool = False
    reply_public: bool = True
    reply_error: str = ""
    sending: bool = False
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
            self.can_triage
            and self.ticket.assignee_id != str(self.viewer_id)
            and not self.ticket.merged_into_id
        )

    @rx.var
    def can_close(self) -> bool:
        return self.ticket.status not in DONE_STATUSES and not self.ticket.merged_into_id

    @rx.event
    async def load(self) -> rx.event.EventSpec | rx.EventHandler | None:
        """on_load: the id comes from the URL, so it is checked like any browser input."""
        self.error = self.reply_error = self.conflict_field = ""
        self.items = []
        try:
            self._ticket_id = validate_ticket_id(routes.ticket_id_in(self.router.url.path))
        except ServiceError:  # not a valid id, or beyond any id: no such ticket either way
            self._show_missing()
            return None
        if self.bell_count:  # opening a ticket reads its notifications (the bell follows)
            await self._act(
                notifications.mark_ticket_read,
                ticket_id=self._ticket_id,
                refuse=lambda _error: None,
            )
        return await self._load_and_watch()

    def _show_missing(self) -> None:
        self.ticket = TicketView()
        self.found = False
        self.items = []
        self.loaded = True

    def _show(self, view: TicketView) -> None:
        assign(self, ticket=view, found=True, loaded=True, error="")

    async def _read(self, actor: Actor) -> None:
        ticket_id = self._ticket_id
        key = ("ticket", audience(actor), ticket_id)
        view, newest, shared_items, timers, rule = await get_shared_reads().read(
            key,
            lambda: get_kept_reads().read(
                key,
                lambda: _ticket_mark(actor, ticket_id),
                lambda: _read_ticket(actor, ticket_id),
            ),
            self.router.session.client_token,
        )
        self._show(view)
        assign(self, sla_timers=timers, sla_rule=rule)
        await self._assignable(actor, [view])
        fresh = list(shared_items)
        oldest_fresh = fresh[-1].id if fresh else 0
        kept = [item for item in self.items if oldest_fresh and item.id < oldest_fresh]
        assign(self, items=fresh + kept)
        if not kept:
            self._older_cursor = newest.next_cursor
            assign(self, has_older=newest.next_cursor is not None)

    def _load_refused(self, error: ServiceError) -> None:
        if isinstance(error, NotFound):
            self._show_missing()
        else:
            self.error = describe(error)

    async def _reload(self) -> rx.event.EventSpec | None:
        read = await self._act(self._read, refuse=self._load_refused)
        return read.event if isinstance(read, Refused) else None

    @rx.event
    async def show_older(self) -> rx.event.EventSpec | None:
        """The next (older) page of the timeline, below the ones shown."""
        if not self._older_cursor:
            return None
        cursor = self._older_cursor
        read = await self._act(_timeline, read=True, ticket_id=self._ticket_id, cursor=cursor)
        if isinstance(read, Refused):
            return read.event
        older, items = read
        self.items = self.items + items
        self._older_cursor = older.next_cursor
        self.has_older = older.next_cursor is not None
        return None

    def _shown(self, field: str) -> str:
        return getattr(self.ticket, field)

    def _label(self, field: str, value: str) -> str:
        if field == "assignee_id":
            return self._assignee_name(value)
        return VALUE_LABELS[field].get(value, value)

    async def _update(
        self, field: str, value: Any, force: bool = False
    ) -> rx.event.EventSpec | None:
        """PATCH one field of the shown ticket, validated exactly like the REST API, based on
        the version shown (see the module docstring)."""
        if not self.found or field not in EDITABLE or not isinstance(value, str):
            return browser.error("Reload the page to change this ticket.")
        seen = self._shown(field)

        async def refused(error: ServiceError) -> rx.event.EventSpec | None:
            if isinstance(error, VersionMismatch):
                return await self._conflict(field, value, seen, force)
            return self._refused(error, "This ticket is gone (deleted, or no longer yours to see).")

        done = await self._act(
            change_field,
            ticket_id=self._ticket_id,
            field=field,
            value=value,
            version=self.ticket.version,
            refuse=refused,
        )
        if isinstance(done, Refused):
            return done.event
        self.conflict_field = ""
        await self._reload()
        label = FIELD_LABELS[field]
        return browser.success(f"{label} set to {self._label(field, self._shown(field))}.")

    def _refused(self, error: ServiceError, gone: str) -> rx.event.EventSpec:
        """A change refused: `gone` when the ticket no longer is (the page says so too)."""
        if isinstance(error, NotFound):
            self._show_missing()
            return browser.error(gone)
        return browser.error(describe(error))

    async def _conflict(
        self, field: str, mine: str, seen: str, force: bool
    ) -> rx.event.EventSpec | None:
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
    async def set_category(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("category", value)

    @rx.event
    async def set_priority(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("priority", value)

    @rx.event
    async def set_status(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("status", value)

    @rx.event
    async def set_assignee(self, value: str) -> rx.event.EventSpec | None:
        return await self._update("assignee_id", value)

    @rx.event
    async def take(self) -> rx.event.EventSpec | None:
        """ "Take it": the agent assigns the ticket to themselves in one click (a page shown
        to someone else was reset by the gate, so it changes nothing)."""
        return await self._update("assignee_id", str(self.viewer_id))

    @rx.event
    def ask_delete(self, value: bool = True) -> None:
        """Open (or close) the dialog that asks before a ticket is deleted."""
        self.confirming_delete = value is True

    @rx.event
    async def delete_ticket(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Admins: delete the ticket with its conversation and history, then back to the list."""
        self.confirming_delete = False
        done = await self._act(
            tickets.delete_ticket,
            ticket_id=self._ticket_id,
            refuse=lambda error: self._refused(error, "This ticket is gone already."),
        )
        if isinstance(done, Refused):
            return done.event
        return [
            browser.go(routes.TICKETS),
            browser.success(f"Ticket #{self._ticket_id} was deleted."),
        ]

    @rx.event
    async def close_ticket(self) -> rx.event.EventSpec | None:
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
        return await self._send(form_data, [])

    @rx.event
    async def send_reply_with_files(
        self, files: list[rx.UploadFile], form_data: dict[str, Any]
    ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """The reply box's submit: the reply or note with the files chosen for it (none is
        fine), through the upload endpoint (see `state/attachments.py`)."""
        if (sent := incoming(files)) is None:
            return None
        return await self._send(form_data, sent)

    async def _send(
        self, form_data: dict[str, Any], files: list[IncomingFile]
    ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        self.uploading = False
        if self.sending or not self.found:
            return None
        body = form_data.get("reply") if isinstance(form_data, dict) else None
        public = self.reply_public or not self.can_see_notes
        try:
            data = comments.validate_comment({"body": body, "public": public})
        except InvalidInput as error:
            self.reply_error = field_messages(error).get("body", describe(error))
            return None

        def refused(error: ServiceError) -> rx.event.EventSpec | None:
            if (message := files_message(error)) is None:
                return browser.error(describe(error))
            self.files_error = message
            return None

        self.sending = True
        done = await self._act(
            comments.add_comment, ticket_id=self._ticket_id, data=data, files=files, refuse=refused
        )
        self.sending = False
        if isinstance(done, Refused):
            return done.event
        self.reply_error = ""
        self.reply_public = True
        self._files_sent()
        await self._reload()
        sent = "Reply sent." if data.public else "Internal note added."
        cleared = [browser.clear_files(REPLY_FILES)] if files else []
        return [browser.clear_field("reply"), *cleared, browser.success(sent)]
