"""The account page's sign-in security: whether two-factor is on (set up and managed on its
own page), and where the viewer is signed in (started, last used, browser, how), the one this
tab uses marked; any session can be signed out, or all the others at once.

Ending the tab's own session signs this tab out: it goes to the login page at once (the page
would find no session at its next event anyway).
"""

from typing import Any

import reflex as rx

from ticket_app.services import sessions, two_factor
from ticket_app.services.access import Actor
from ticket_app.ui import browser, routes
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.security import session_rows

Event = rx.event.EventSpec


def _own_security(actor: Actor) -> dict[str, Any]:
    return {"two_factor": two_factor.status(actor), "sessions": sessions.list_own(actor)}


class OwnSessionsState(SessionState):
    """The sign-in cards of /account."""

    two_factor_on: bool = False
    two_factor_required: bool = False
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> Event | None:
        found = await self._act(_own_security, read=True, refuse=self._failed)
        if isinstance(found, Refused):
            return found.event
        self.two_factor_on = found["two_factor"].enabled
        self.two_factor_required = found["two_factor"].required
        self.rows = session_rows(found["sessions"])
        self.error = ""
        self.loaded = True
        return None

    @rx.event
    async def end(self, session_id: str) -> Event | None:
        """Sign one session out (this tab's own too: then to the login page)."""
        if not isinstance(session_id, str) or not session_id.isdigit():
            return None
        current = any(row["id"] == session_id and row["current"] for row in self.rows)
        done = await self._act(sessions.end_own, session_id=int(session_id))
        if isinstance(done, Refused):
            return done.event
        if current:
            return browser.go(routes.with_query(routes.LOGIN, "notice=signed-out"))
        await self.load()
        return browser.success("That session is signed out.")

    @rx.event
    async def end_others(self) -> Event | None:
        ended = await self._act(sessions.end_others)
        if isinstance(ended, Refused):
            return ended.event
        await self.load()
        return browser.success(
            f"{ended} other session{'' if ended == 1 else 's'} signed out."
            if ended
            else "There was no other session."
        )
