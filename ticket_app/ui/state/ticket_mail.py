"""Beside a ticket (for agents and admins): how it arrived by mail and its mail thread.

Read when the page opens, like the similar tickets (`duplicates.py`), and again on "Refresh"
(a reply just sent shows its mail once it is queued). Requesters get nothing: the state stays
empty for them, so nothing of it reaches their browser, and the service refuses them anyway.
"""

import asyncio

import reflex as rx

from ticket_app.services import mail_thread
from ticket_app.services.access import Permission
from ticket_app.services.errors import ServiceError
from ticket_app.services.schemas import validate_ticket_id
from ticket_app.ui import routes
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.viewmodels.ticket_mail import MailLine, MailOrigin, to_mail_view


class TicketMailState(SessionState):
    """The mail panel of /tickets/[ticket_id]."""

    origin: MailOrigin = MailOrigin()
    mail_lines: list[MailLine] = rx.field(default_factory=list)

    def _forget(self) -> None:
        self.origin = MailOrigin()
        self.mail_lines = []

    @rx.event
    async def load(self) -> None:
        """on_load, and the panel's "Refresh": the ticket in the URL, checked like any
        browser input (nothing for requesters, or when it cannot be read: the ticket's own
        state says why)."""
        actor = await self._actor()
        if actor is None or not actor.can(Permission.READ_ALL):
            self._forget()
            return
        try:
            ticket_id = validate_ticket_id(routes.ticket_id_in(self.router.url.path))
            found = await asyncio.to_thread(mail_thread.ticket_mail, actor, ticket_id=ticket_id)
        except ServiceError:
            self._forget()
            return
        self.origin, self.mail_lines = to_mail_view(found)
