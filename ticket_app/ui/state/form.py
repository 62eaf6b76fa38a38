"""The submit form: inline validation with the API's rules, a live classifier suggestion that
never overwrites the agent's own choice, and a submit that never waits for the model.

The classifier runs in a background event, so typing, choosing and submitting stay responsive
however slow Gemini is; a suggestion that arrives after a newer request, or after the form was
submitted, is dropped. A tab has at most one classification in flight: text that changes
meanwhile is classified once that one returns, so no client can queue up model calls. A
suggestion the model is not sure of pre-fills nothing and says so.

The same moments look up similar tickets (a requester's own, for staff all), the same way:
one lookup per tab in flight, so a duplicate shows before it is filed.
"""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.classifier import Suggestion
from ticket_app.domain import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from ticket_app.services import similar, suggestions, tickets
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import TicketCreate, validate_create, validate_patch
from ticket_app.ui import browser
from ticket_app.ui.labels import SOURCE_NOTES, UNSURE_NOTE
from ticket_app.ui.messages import describe, field_messages
from ticket_app.ui.state.attachments import AttachmentsState, files_message, incoming
from ticket_app.ui.state.live import write
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.rows import SimilarRow, to_similar_rows

SUGGEST_MIN_CHARS = 20  # below this a description says too little to classify
SIMILAR_MIN_CHARS = 12  # title and description together: enough to share a distinctive word
SIMILAR_SHOWN = 5
CHOICES = ("category", "priority")
TICKET_FILES = "ticket-files"  # the form's upload zone
MAX_LENGTHS = {"title": TITLE_MAX_LENGTH, "description": DESCRIPTION_MAX_LENGTH}


class FormState(AttachmentsState, SessionState):
    """The / page: a new ticket."""

    title: str = ""
    description: str = ""
    title_error: str = ""
    description_error: str = ""
    category: str = ""
    priority: str = ""
    category_overridden: bool = False
    priority_overridden: bool = False
    suggested_category: str = ""
    suggested_priority: str = ""
    suggestion_source: str = ""
    suggestion_unsure: bool = False
    classifying: bool = False
    submitting: bool = False
    created_id: int = 0
    created_title: str = ""
    similar: list[SimilarRow] = rx.field(default_factory=list)
    _suggestion: Suggestion | None = None
    _suggested_text: str = ""
    _suggest_round: int = 0
    _similar_text: str = ""
    _looking: bool = False
    _title_touched: bool = False
    _description_touched: bool = False
    _pending: tuple[TicketCreate, Suggestion | None] | None = None

    @rx.var
    def suggestion_note(self) -> str:
        """Who suggested the values: 'Suggested by Gemini', '... by the offline model'."""
        if self.suggestion_unsure:
            return UNSURE_NOTE
        return SOURCE_NOTES.get(self.suggestion_source, "")

    def _classifier_text(self) -> str:
        """What the classifier reads: the same text the service classifies on create."""
        return f"{self.title.strip()}\n{self.description}"

    def _field_errors(self, **typed: str) -> dict[str, str]:
        """The API's messages for the form's text, `typed` in place of what is stored."""
        try:
            validate_create({"title": self.title, "description": self.description, **typed})
        except InvalidInput as error:
            return field_messages(error)
        return {}

    def _keep(self, field: str, value: str) -> None:
        """Store text only within its field's limit: any tab could otherwise park megabytes in
        the server's state. Its field's message says why longer text was not taken."""
        if len(value) <= MAX_LENGTHS[field]:
            setattr(self, field, value)

    def _show_errors(self, messages: dict[str, str]) -> None:
        """Messages for the fields the agent has touched (all of them after a submit)."""
        self.title_error = messages.get("title", "") if self._title_touched else ""
        self.description_error = (
            messages.get("description", "") if self._description_touched else ""
        )

    def _wants_suggestion(self) -> bool:
        return (
            len(self.description.strip()) >= SUGGEST_MIN_CHARS
            and not self.description_error
            and self._classifier_text() != self._suggested_text
        )

    def _wants_similar(self) -> bool:
        text = self._classifier_text()
        return (
            len(text.strip()) >= SIMILAR_MIN_CHARS
            and not (self.title_error or self.description_error)
            and text != self._similar_text
        )

    def _lookups(self) -> list[rx.event.EventHandler]:
        """What the current text asks for: a suggestion, similar tickets, both or neither."""
        wanted = [(self._wants_suggestion(), FormState.suggest)]
        wanted.append((self._wants_similar(), FormState.find_similar))
        return [handler for wants, handler in wanted if wants]

    @rx.event
    def set_title(self, value: str) -> None:
        if not isinstance(value, str):
            return
        self._title_touched = True
        self._show_errors(self._field_errors(title=value))
        self._keep("title", value)

    @rx.event
    def title_done(self) -> list[rx.event.EventHandler]:
        """The title field lost focus: the title alone may already name a duplicate."""
        return self._lookups()

    @rx.event
    def set_description(self, value: str) -> list[rx.event.EventHandler] | None:
        """Debounced in the browser; asks for a suggestion once the text says something."""
        if not isinstance(value, str):
            return None
        self._description_touched = True
        self._show_errors(self._field_errors(description=value))
        self._keep("description", value)
        return self._lookups()

    @rx.event(background=True)
    async def find_similar(self) -> rx.event.EventSpec | None:
        """The tickets most like the text so far, off the event loop (see the docstring)."""
        async with self:
            actor = await self._actor()
            if actor is None or self._looking or not self._wants_similar():
                return None
            self._similar_text = self._classifier_text()
            title, description = self.title, self.description
            round_started = self._suggest_round
            self._looking = True
        found: list[SimilarRow] | None = None
        try:
            found = to_similar_rows(
                await asyncio.to_thread(
                    similar.find, actor, title=title, description=description, limit=SIMILAR_SHOWN
                )
            )
        except ServiceError:
            found = None  # a lookup that failed shows nothing new; the form goes on
        finally:
            async with self:
                self._looking = False
                if round_started == self._suggest_round and found is not None:
                    self.similar = found
                again = self._wants_similar()
        return FormState.find_similar if again else None

    @rx.event(background=True)
    async def suggest(self) -> rx.event.EventSpec | None:
        """Classify the current text off the event loop and fill the fields not overridden
        (for agents and admins: a requester's ticket is classified by the desk on create)."""
        async with self:
            if (actor := await self._actor()) is None or not self.can_classify:
                return None
            if self.classifying or not self._wants_suggestion():
                return None
            text = self._suggested_text = self._classifier_text()
            self._suggest_round += 1
            round_started = self._suggest_round
            self.classifying = True
        suggestion: Suggestion | None = None
        try:
            suggestion = await suggestions.suggest(actor, text=text)
        finally:
            async with self:
                self.classifying = False
                if round_started == self._suggest_round and suggestion is not None:
                    self._apply(suggestion)
                again = self._wants_suggestion()
        return FormState.suggest if again else None

    def _apply(self, suggestion: Suggestion) -> None:
        """Take the suggestion, except where the agent already chose a value; one the model
        is not sure of fills nothing, and what an earlier one filled is emptied again."""
        self._suggestion = suggestion
        self.suggestion_source = suggestion.source
        self.suggestion_unsure = not suggestion.confident
        self.suggested_category = suggestion.category.value if suggestion.confident else ""
        self.suggested_priority = suggestion.priority.value if suggestion.confident else ""
        if not self.category_overridden:
            self.category = self.suggested_category
        if not self.priority_overridden:
            self.priority = self.suggested_priority

    def _choose(self, field: str, value: Any) -> None:
        """The agent's category or priority, checked like a PATCH of that field: kept whatever
        later suggestions say."""
        try:
            patch = validate_patch({field: value})
        except InvalidInput:
            return
        setattr(self, field, str(getattr(patch, field)))
        setattr(self, f"{field}_overridden", True)

    def _use_suggested(self, field: str) -> None:
        if suggested := getattr(self, f"suggested_{field}"):
            setattr(self, field, suggested)
            setattr(self, f"{field}_overridden", False)

    @rx.event
    def set_category(self, value: str) -> None:
        self._choose("category", value)

    @rx.event
    def set_priority(self, value: str) -> None:
        self._choose("priority", value)

    @rx.event
    def use_suggested_category(self) -> None:
        self._use_suggested("category")

    @rx.event
    def use_suggested_priority(self) -> None:
        self._use_suggested("priority")

    def _validated(self, form_data: dict[str, Any]) -> TicketCreate | None:
        """The form's ticket, validated like POST /api/tickets/ (None: its fields say why).

        The title and description come from the submitted form, which is what the agent sees
        even if the last keystrokes are still inside the browser's debounce.
        """
        values = {"title": self.title, "description": self.description}
        if isinstance(form_data, dict):
            for field in ("title", "description"):
                if isinstance(form_data.get(field), str):
                    values[field] = form_data[field]
                    self._keep(field, form_data[field])
        self._title_touched = self._description_touched = True
        values.update({field: getattr(self, field) for field in CHOICES if getattr(self, field)})
        try:
            data = validate_create(values)
        except InvalidInput as error:
            self._show_errors(field_messages(error))
            return None
        self._show_errors({})
        return data

    @rx.event
    def submit(self, form_data: dict[str, Any]) -> rx.event.EventHandler | None:
        """Validate like POST /api/tickets/, then save in the background."""
        if self.submitting or (data := self._validated(form_data)) is None:
            return None
        return self._save_later(data)

    def _save_later(self, data: TicketCreate) -> rx.event.EventHandler:
        self.submitting = True
        self._pending = (data, self._suggestion)
        return FormState.save

    @rx.event
    async def submit_with_files(
        self, files: list[rx.UploadFile], form_data: dict[str, Any]
    ) -> rx.event.EventHandler | rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """The form's submit, with the files chosen for the ticket (see
        `state/attachments.py`). Without files it is `submit`; with files the ticket is made
        here, with them in its transaction (the files live only as long as this handler),
        so a ticket without a suggestion waits for the classifier."""
        self.uploading = False
        sent = incoming(files)
        if sent is None or self.submitting or (data := self._validated(form_data)) is None:
            return None
        if not sent:
            return self._save_later(data)

        def refused(error: ServiceError) -> rx.event.EventSpec | None:
            if (message := files_message(error)) is not None:
                self.files_error = message
                return None
            if isinstance(error, InvalidInput):
                self._show_errors(field_messages(error))
            return browser.error(describe(error))

        self.submitting = True
        created = await self._act(
            tickets.create_ticket,
            data=data,
            suggestion=self._suggestion,
            files=sent,
            refuse=refused,
        )
        self.submitting = False
        if isinstance(created, Refused):
            return created.event
        self._clear()
        self._files_sent()
        self.created_id = created.id
        self.created_title = created.title
        return [
            browser.clear_files(TICKET_FILES),
            browser.success(f"Ticket #{created.id} created", description=created.title),
        ]

    @rx.event(background=True)
    async def save(self) -> rx.event.EventSpec | None:
        """Create the ticket submitted last; without a suggestion the service classifies."""
        async with self:
            pending, self._pending = self._pending, None
            actor = await self._actor()
        if pending is None:
            return None
        if actor is None:
            return self._to_sign_in()
        data, suggestion = pending
        try:
            ticket = await write(tickets.create_ticket, actor, data=data, suggestion=suggestion)
        except ServiceError as error:
            async with self:
                self.submitting = False
                if isinstance(error, InvalidInput):
                    self._show_errors(field_messages(error))
            return browser.error(describe(error))
        async with self:
            self._clear()
            self.created_id = ticket.id
            self.created_title = ticket.title
        return browser.success(f"Ticket #{ticket.id} created", description=ticket.title)

    def _clear(self) -> None:
        """An empty form; a suggestion still in flight is dropped when it arrives."""
        self.title = self.description = ""
        self.title_error = self.description_error = ""
        self.category = self.priority = ""
        self.category_overridden = self.priority_overridden = False
        self.suggested_category = self.suggested_priority = self.suggestion_source = ""
        self.suggestion_unsure = self.submitting = False
        self._suggestion = None
        self._suggested_text = self._similar_text = ""
        self.similar = []
        self._suggest_round += 1
        self._title_touched = self._description_touched = False

    @rx.event
    def dismiss_created(self) -> None:
        self.created_id = 0
        self.created_title = ""
