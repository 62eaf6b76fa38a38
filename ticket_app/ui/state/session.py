"""The one base state of every signed-in page: who is looking, resolved on the server.

The session cookie is HttpOnly, so only the websocket handshake carries it to the server
(`router.headers.cookie`, fixed until the socket reconnects: sign-in and sign-out therefore
end with a full page load). `_actor()` resolves it at every use through the sessions service
(a two-second cache at most), so a revoked session stops working within seconds in every tab.
`access.py` refuses every event of a state below this one when no valid session is there.
"""

import asyncio
from urllib.parse import quote

import reflex as rx

from ticket_app.domain import Role
from ticket_app.services import sessions
from ticket_app.services.access import Actor
from ticket_app.ui import browser

LOGIN_PATH = "/login"


def sign_in_address(path: str, query: str = "") -> str:
    """The login page, coming back to `path` (and its query) after signing in."""
    path = path.rstrip("/")
    if not path and not query:
        return LOGIN_PATH
    target = (path or "/") + (f"?{query}" if query else "")
    return f"{LOGIN_PATH}?next={quote(target, safe='/')}"


def here(state: rx.State) -> str:
    """Where to come back to after signing in: the tab's page with its query."""
    return sign_in_address(state.router.url.path, state.router.url.query)


def session_secret(state: rx.State) -> str | None:
    """The session secret the tab's websocket handshake carried, if any."""
    return sessions.secret_from_cookies(state.router.headers.cookie)


async def resolve_actor(state: rx.State) -> Actor | None:
    """Who holds the tab's session now (None: signed out, expired, revoked, deactivated)."""
    secret = session_secret(state)
    found, actor = sessions.cached(secret)
    if found:
        return actor
    return await asyncio.to_thread(sessions.resolve, secret)


class SessionState(rx.State):
    """Shared by every signed-in page: the viewer's name and role for the header, and the
    actor the page's handlers pass to the services."""

    viewer_id: int = 0
    viewer_name: str = ""
    viewer_email: str = ""
    viewer_role: str = ""
    _bound_session: str = ""  # whose session the tab's page states hold data for (access.py)

    @rx.var
    def is_staff(self) -> bool:
        return self.viewer_role in (Role.AGENT, Role.ADMIN)

    @rx.var
    def is_admin(self) -> bool:
        return self.viewer_role == Role.ADMIN

    async def _actor(self) -> Actor | None:
        """The signed-in actor, checked now; page handlers call this before any service."""
        actor = await resolve_actor(self)
        if actor is not None:
            session = await self.get_state(SessionState)
            if session.viewer_id != actor.id or session.viewer_role != actor.role:
                session.viewer_id, session.viewer_role = actor.id, actor.role.value
                session.viewer_name, session.viewer_email = actor.name, actor.email
        return actor

    def _to_sign_in(self) -> rx.event.EventSpec:
        return browser.go(here(self))

    @rx.event
    async def guard(self) -> rx.event.EventSpec | None:
        """First on_load of every signed-in page: to the login page without a session."""
        if await self._actor() is None:
            return self._to_sign_in()
        return None
