"""`/admin/mail`'s quarantine: received mail held for an admin (too large, unreadable, over a
rate cap). Admins list it newest first, reprocess a message (the pipeline again, without the
size limit and the caps) or delete it after a confirmation, and download it as it arrived.

Any websocket client may call any handler with any arguments: ids are checked here like any
browser input, and the inbound service refuses everyone but admins (`access.py`), so an agent
who calls these handlers gets a refusal and changes nothing.
"""

from typing import Any

import reflex as rx

from ticket_app.services import inbound
from ticket_app.services.errors import ServiceError
from ticket_app.ui import browser
from ticket_app.ui.messages import describe
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.mail import QuarantineRow, quarantine_row

ID_DIGITS = 11  # beyond any id the database hands out


def mail_id(value: Any) -> int | None:
    """An id the page sent (a number, or a number as text), or None for anything else."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and text.isdigit() and text.isascii() and len(text) <= ID_DIGITS:
        return int(text) or None
    return None


class QuarantineState(SessionState):
    """The quarantine section of /admin/mail."""

    held: list[QuarantineRow] = rx.field(default_factory=list)
    held_more: bool = False
    held_error: str = ""
    deleting: int = 0  # the message the delete dialog asks about (0: no dialog)
    _held_cursor: str | None = None

    def _held_failed(self, error: ServiceError) -> None:
        self.held_error = describe(error)

    async def _list(self, *, more: bool) -> rx.event.EventSpec | None:
        page = await self._act(
            inbound.quarantine_page,
            read=True,
            refuse=self._held_failed,
            cursor=self._held_cursor if more else None,
        )
        if isinstance(page, Refused):
            return page.event
        rows = [quarantine_row(mail) for mail in page.items]
        self.held = self.held + rows if more else rows
        self._held_cursor = page.next_cursor
        self.held_more = page.next_cursor is not None
        self.held_error = ""
        return None

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.deleting = 0
        return await self._list(more=False)

    @rx.event
    async def show_more_held(self) -> rx.event.EventSpec | None:
        if not self._held_cursor:
            return None
        return await self._list(more=True)

    @rx.event
    async def reprocess(self, value: Any) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Run one quarantined message through the pipeline again; say what it became."""
        wanted = mail_id(value)
        if wanted is None:
            return browser.error("That is not a message of the quarantine.")
        done = await self._act(inbound.reprocess, mail_id=wanted)
        if isinstance(done, Refused):
            return done.event
        await self._list(more=False)
        became = f" (ticket #{done.ticket_id})" if done.ticket_id else ""
        return browser.success(f"Mail {wanted} was reprocessed: {done.action}{became}.")

    @rx.event
    def ask_delete(self, value: Any) -> None:
        """Open the dialog that asks before a quarantined message is deleted."""
        self.deleting = mail_id(value) or 0

    @rx.event
    def cancel_delete(self) -> None:
        self.deleting = 0

    @rx.event
    async def confirm_delete(self) -> rx.event.EventSpec | None:
        """Delete the message the dialog asked about, for good."""
        wanted, self.deleting = self.deleting, 0
        if not wanted:
            return None
        done = await self._act(inbound.delete_quarantined, mail_id=wanted)
        if isinstance(done, Refused):
            return done.event
        await self._list(more=False)
        return browser.success(f"Mail {wanted} was deleted.")
