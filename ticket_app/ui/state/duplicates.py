"""Beside a ticket (for agents and admins): the tickets most like it, and merging it into one.

The list is read once when the page opens: it helps spot a duplicate and need not follow
every change. Merging asks first, naming both tickets and letting the agent choose which one
goes on (this one into the other, or the other into this one), then shows the one that goes
on, where the whole conversation now is. When the two tickets have different requesters, the
merge service refuses until sharing is confirmed: the dialog then says who would read what
(the service's own words) and merges only on "Share and merge". The other ticket is whatever
the browser sends, so it is checked like any input, and the merge service decides what may be
merged.
"""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.services import merge, similar
from ticket_app.services.access import Permission
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.services.schemas import validate_ticket_id
from ticket_app.ui import browser, routes
from ticket_app.ui.messages import describe
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.rows import SimilarRow, to_similar_rows

SIMILAR_SHOWN = 5
KEEP = ("other", "this")  # which ticket of the dialog goes on


def refusal(error: InvalidInput) -> str:
    """The merge service's reason as a sentence: "Ticket #5 was already merged into #3; ..."."""
    message = error.errors[0].message
    return f"{message[:1].upper()}{message[1:]}."


class DuplicatesState(SessionState):
    """The similar list and the merge dialog of /tickets/[ticket_id]."""

    similar: list[SimilarRow] = rx.field(default_factory=list)
    merge_other: int = 0  # the other ticket of the open merge dialog (0: no dialog)
    merge_other_title: str = ""
    merge_error: str = ""
    merge_sharing: str = ""  # who would read what, once the service asked to confirm it
    merging: bool = False
    _ticket_id: int = 0
    _sharing_keep: str = ""  # the direction the sharing sentence is about

    @rx.event
    async def load(self) -> None:
        """on_load: the tickets like this one (none for requesters, or when it cannot be
        read: the ticket's own state says why)."""
        self.similar = []
        self.merge_other = 0
        self._ticket_id = 0
        actor = await self._actor()
        if actor is None or not actor.can(Permission.MERGE):
            return
        try:
            self._ticket_id = validate_ticket_id(routes.ticket_id_in(self.router.url.path))
            found = await asyncio.to_thread(
                similar.for_ticket, actor, ticket_id=self._ticket_id, limit=SIMILAR_SHOWN
            )
        except ServiceError:
            return
        self.similar = to_similar_rows(found)

    def _ask(self, other: Any) -> None:
        if self.merging or not self._ticket_id:
            return
        try:
            ticket_id = validate_ticket_id(other)
        except ServiceError:
            self.merge_error = "Enter the number of the other ticket."
            return
        self.merge_error = ""
        self._forget_sharing()
        self.merge_other = ticket_id
        titles = {row.id: row.title for row in self.similar}
        self.merge_other_title = titles.get(ticket_id, "")

    @rx.event
    def ask_merge(self, other: Any) -> None:
        """Open the merge dialog for this ticket and `other` (a similar one)."""
        self._ask(other)

    @rx.event
    def ask_merge_typed(self, form_data: dict[str, Any]) -> None:
        """The "Merge with ticket #" field's submit."""
        value = form_data.get("other") if isinstance(form_data, dict) else None
        self._ask(value.strip().lstrip("#") if isinstance(value, str) else value)

    def _forget_sharing(self) -> None:
        self.merge_sharing = ""
        self._sharing_keep = ""

    @rx.event
    def cancel_merge(self) -> None:
        self.merge_other = 0
        self._forget_sharing()

    @rx.event
    async def confirm_merge(
        self, keep: Any
    ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Merge one ticket into the other: `keep` is "other" (this one goes into it) or
        "this" (it comes into this one). Then show the one kept; a refusal says why and
        changes nothing; a merge that would share two requesters' conversations asks first."""
        return await self._merge(keep, share=False)

    @rx.event
    async def confirm_sharing(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """ "Share and merge": the merge the sharing sentence was about, confirmed."""
        if not self._sharing_keep:
            return None
        return await self._merge(self._sharing_keep, share=True)

    async def _merge(
        self, keep: Any, share: bool
    ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        if self.merging or not (self._ticket_id and self.merge_other) or keep not in KEEP:
            return None
        source, target = self._ticket_id, self.merge_other
        if keep == "this":
            source, target = target, source

        def refused(error: ServiceError) -> rx.event.EventSpec | None:
            if isinstance(error, merge.SharingNotConfirmed):
                self.merge_sharing = f"{error.sharing.describe()}."
                self._sharing_keep = keep
                return None
            self.merge_other = 0
            self._forget_sharing()
            if isinstance(error, InvalidInput):
                self.merge_error = refusal(error)
                return None
            return browser.error(describe(error))

        self.merging = True
        try:
            done = await self._act(
                merge.merge,
                source_id=source,
                into_id=target,
                share_with_requester=share,
                refuse=refused,
            )
        finally:
            self.merging = False
        if isinstance(done, Refused):
            return done.event
        self.merge_other = 0
        self._forget_sharing()
        return [
            browser.go(routes.ticket_url(target)),
            browser.success(f"Ticket #{source} was merged into #{target}."),
        ]
