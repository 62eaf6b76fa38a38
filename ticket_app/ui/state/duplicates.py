"""Beside a ticket (for agents and admins): the tickets most like it, and merging it into one.

The list is read once when the page opens: it helps spot a duplicate and need not follow
every change. Merging asks first, naming both tickets, then goes to the ticket merged into,
where the conversation now is. The target is whatever the browser sends, so it is checked
like any input, and the merge service decides what may be merged.
"""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.services import merge, similar
from ticket_app.services.access import Permission
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import validate_ticket_id
from ticket_app.ui.state.live import write
from ticket_app.ui.state.messages import describe
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.views import SimilarRow, to_similar_rows

SIMILAR_SHOWN = 5


def refusal(error: InvalidInput) -> str:
    """The merge service's reason as a sentence: "Ticket #5 was already merged into #3; ..."."""
    message = error.errors[0].message
    return f"{message[:1].upper()}{message[1:]}."


def ticket_id_in(path: str) -> str:
    """The last segment of /tickets/{id}: the route's only parameter (still unchecked)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


class DuplicatesState(SessionState):
    """The similar list and the merge dialog of /tickets/[ticket_id]."""

    similar: list[SimilarRow] = rx.field(default_factory=list)
    merge_into: int = 0  # the ticket the open dialog would merge into (0: no dialog)
    merge_into_title: str = ""
    merge_error: str = ""
    merging: bool = False
    _ticket_id: int = 0

    @rx.event
    async def load(self) -> None:
        """on_load: the tickets like this one (none for requesters, or when it cannot be
        read: the ticket's own state says why)."""
        self.similar = []
        self.merge_into = 0
        self._ticket_id = 0
        actor = await self._actor()
        if actor is None or not actor.can(Permission.TRIAGE):
            return
        try:
            self._ticket_id = validate_ticket_id(ticket_id_in(self.router.url.path))
            found = await asyncio.to_thread(
                similar.for_ticket, actor, self._ticket_id, SIMILAR_SHOWN
            )
        except ServiceError:
            return
        self.similar = to_similar_rows(found)

    def _ask(self, into: Any) -> None:
        if self.merging or not self._ticket_id:
            return
        try:
            target = validate_ticket_id(into)
        except ServiceError:
            self.merge_error = "Enter the number of the ticket to merge into."
            return
        self.merge_error = ""
        self.merge_into = target
        titles = {row.id: row.title for row in self.similar}
        self.merge_into_title = titles.get(target, "")

    @rx.event
    def ask_merge(self, into: Any) -> None:
        """Open the dialog for merging this ticket into `into` (a similar one)."""
        self._ask(into)

    @rx.event
    def ask_merge_typed(self, form_data: dict[str, Any]) -> None:
        """The "Merge into ticket #" field's submit."""
        value = form_data.get("into") if isinstance(form_data, dict) else None
        self._ask(value.strip().lstrip("#") if isinstance(value, str) else value)

    @rx.event
    def cancel_merge(self) -> None:
        self.merge_into = 0

    @rx.event
    async def confirm_merge(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Merge, then show the ticket merged into; a refusal says why and changes nothing."""
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        if self.merging or not (self._ticket_id and self.merge_into):
            return None
        source, target = self._ticket_id, self.merge_into
        self.merging = True
        try:
            await write(merge.merge, actor, source, target)
        except ServiceError as error:
            self.merge_into = 0
            if isinstance(error, InvalidInput):
                self.merge_error = refusal(error)
                return None
            return rx.toast.error(describe(error))
        finally:
            self.merging = False
        self.merge_into = 0
        return [
            rx.redirect(f"/tickets/{target}"),
            rx.toast.success(f"Ticket #{source} was merged into #{target}."),
        ]
