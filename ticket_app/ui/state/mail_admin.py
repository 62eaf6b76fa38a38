"""`/admin/mail`: what the desk sends. Admins see the outbox (queued, sent, failed), put a
failed mail back in the queue, open any mail as it would go out (with no SMTP_URL this is
where a newcomer reads what the desk would send), and let mail go again to a person whose
address bounced. The services refuse all of it to anyone but admins."""

from typing import Any

import reflex as rx

from ticket_app.models import MailState
from ticket_app.services import outbox
from ticket_app.ui import browser
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.mail import (
    BouncedRow,
    MailRow,
    OpenedMail,
    bounced_row,
    mail_row,
    opened,
)

STATES = tuple(state.value for state in MailState)


def _mail_id(value: Any) -> int | None:
    """An id the page sent (a number as text), or None for anything else."""
    text = str(value) if isinstance(value, int) else value
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 12 else None


class MailAdminState(SessionState):
    """The /admin/mail page."""

    state_filter: str = ""  # "" for every state
    mails: list[MailRow] = rx.field(default_factory=list)
    bounced: list[BouncedRow] = rx.field(default_factory=list)
    has_more: bool = False
    shown: OpenedMail = OpenedMail()
    loaded: bool = False
    error: str = ""
    _cursor: str | None = None

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.shown = OpenedMail()
        return await self._show(more=False)

    async def _show(self, *, more: bool) -> rx.event.EventSpec | None:
        page = await self._act(
            outbox.outbox_page,
            read=True,
            refuse=self._failed,
            state=self.state_filter or None,
            cursor=self._cursor if more else None,
        )
        if isinstance(page, Refused):
            return page.event
        bounced = await self._act(outbox.bounced, read=True, refuse=self._failed)
        if isinstance(bounced, Refused):
            return bounced.event
        rows = [mail_row(mail) for mail in page.items]
        self.mails = self.mails + rows if more else rows
        self._cursor = page.next_cursor
        self.has_more = page.next_cursor is not None
        self.bounced = [bounced_row(person) for person in bounced]
        self.error = ""
        self.loaded = True
        return None

    @rx.event
    async def show_state(self, state: str | list[str]) -> rx.event.EventSpec | None:
        """Only the mails in one state ("all" for every one)."""
        if not isinstance(state, str) or (state != "all" and state not in STATES):
            return None
        self.state_filter = "" if state == "all" else state
        return await self._show(more=False)

    @rx.event
    async def show_more(self) -> rx.event.EventSpec | None:
        if not self._cursor:
            return None
        return await self._show(more=True)

    @rx.event
    async def open_mail(self, mail_id: str) -> rx.event.EventSpec | None:
        """Open one mail as it would go out (a requester's sign-in link as a stand-in)."""
        wanted = _mail_id(mail_id)
        if wanted is None:
            return None
        preview = await self._act(outbox.render, read=True, mail_id=wanted)
        if isinstance(preview, Refused):
            return preview.event
        self.shown = opened(wanted, preview)
        return None

    @rx.event
    def close_mail(self) -> None:
        self.shown = OpenedMail()

    @rx.event
    async def retry(self, mail_id: str) -> rx.event.EventSpec | None:
        """Put a failed mail back in the queue."""
        wanted = _mail_id(mail_id)
        if wanted is None:
            return None
        done = await self._act(outbox.retry, mail_id=wanted)
        if isinstance(done, Refused):
            return done.event
        await self._show(more=False)
        return browser.success(f"Mail {wanted} is queued again.")

    @rx.event
    async def clear_bounce(self, user_id: str) -> rx.event.EventSpec | None:
        """Let mail go to this person again (after their address was fixed)."""
        wanted = _mail_id(user_id)
        if wanted is None:
            return None
        done = await self._act(outbox.clear_bounce, user_id=wanted)
        if isinstance(done, Refused):
            return done.event
        await self._show(more=False)
        return browser.success("Mail goes to that address again.")
