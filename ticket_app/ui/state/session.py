"""The one base state of every signed-in page: who is looking, resolved on the server.

The session cookie is HttpOnly, so only the websocket handshake carries it to the server
(`router.headers.cookie`, fixed until the socket reconnects: sign-in and sign-out therefore
end with a full page load). `_actor()` resolves it at every use through the sessions service
(a two-second cache at most), so a revoked session stops working within seconds in every tab.
`ui/gate.py` refuses every event of a state below this one when no valid session is there.

The header's bell lives here too: every signed-in page reads it at load (`guard`), and the live
pages read it again whenever they wake (`ui/state/live.py`). Every notification is written in
the transaction of a ticket's change, which moves the revision the live pages watch, so the
bell needs no watcher of its own; its read is shared by one person's tabs at one revision and
noted for the watch loop (`bell_tab`), so a page whose own view did not change still wakes
when its bell did.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.vars.base import ComputedVar

from ticket_app.services import notifications, sessions
from ticket_app.services.access import PERMISSIONS, Actor, Permission
from ticket_app.services.errors import ServiceError
from ticket_app.services.revisions import Revision
from ticket_app.ui import browser
from ticket_app.ui.live.kept_reads import get_kept_reads, standing
from ticket_app.ui.live.shared_reads import get_shared_reads
from ticket_app.ui.messages import describe
from ticket_app.ui.routes import sign_in_address
from ticket_app.ui.state.live import assign, bell_tab, write
from ticket_app.ui.viewmodels.bell import BellLine, count_label, line

Event = rx.event.EventSpec
GRANTED = {role.value: granted for role, granted in PERMISSIONS.items()}


def here(state: rx.State) -> str:
    """Where to come back to after signing in: the tab's page with its query."""
    return sign_in_address(state.router.url.path, state.router.url.query)


def session_secret(state: rx.State) -> str | None:
    """The session secret the tab's websocket handshake carried, if any."""
    return sessions.secret_from_cookies(state.router.headers.cookie)


def _bell_mark(revision: Revision) -> Hashable:
    """A bell stands while nobody read a notification, no notification was made, and who
    may see what did not move."""
    newest = get_kept_reads().once("newest notification", revision, notifications.newest_id)
    return (revision.notices, revision.access, newest)


async def resolve_actor(state: rx.State) -> Actor | None:
    """Who holds the tab's session now (None: signed out, expired, revoked, deactivated)."""
    secret = session_secret(state)
    found, actor = sessions.cached(secret)
    if found:
        return actor
    return await asyncio.to_thread(sessions.resolve, secret)


def flag(name: str, permission: Permission) -> ComputedVar[bool]:
    """A computed var: whether the viewer's role has `permission` (services/access.py)."""

    def granted(self: Any) -> bool:
        return permission in GRANTED.get(self.viewer_role, ())

    granted.__name__ = granted.__qualname__ = name
    return rx.var(granted)


@dataclass(frozen=True)
class Refused:
    """What `SessionState._act` gives back when it could not act: the event the handler
    answers with (the login page, a toast; None when the message is already on the page)."""

    event: Event | None


class SessionState(rx.State):
    """Shared by every signed-in page: the viewer's name and role for the header, what the
    role may do (the `can_*` flags the pages show or hide things by, from the services' rules),
    and `_act`, the one way a page handler acts for the viewer."""

    viewer_id: int = 0
    viewer_name: str = ""
    viewer_email: str = ""
    viewer_role: str = ""
    _bound_session: str = ""  # whose session the tab's page states hold data for (gate.py)
    bell_count: str = ""  # "3", "99+"; "" when nothing is unread
    bell_lines: list[BellLine] = rx.field(default_factory=list)

    can_read_all = flag("can_read_all", Permission.READ_ALL)
    can_classify = flag("can_classify", Permission.CLASSIFY)
    can_triage = flag("can_triage", Permission.TRIAGE)
    can_see_notes = flag("can_see_notes", Permission.NOTES)
    can_delete = flag("can_delete", Permission.DELETE)
    can_manage_users = flag("can_manage_users", Permission.MANAGE_USERS)
    can_share_views = flag("can_share_views", Permission.SHARE_VIEWS)
    can_assist = flag("can_assist", Permission.ASSIST)
    can_manage_sla = flag("can_manage_sla", Permission.MANAGE_SLA)

    async def _actor(self) -> Actor | None:
        """The signed-in actor, checked now (the flags follow a changed role)."""
        actor = await resolve_actor(self)
        if actor is not None:
            session = await self.get_state(SessionState)
            if session.viewer_id != actor.id or session.viewer_role != actor.role:
                session.viewer_id, session.viewer_role = actor.id, actor.role.value
                session.viewer_name, session.viewer_email = actor.name, actor.email
        return actor

    def _to_sign_in(self) -> Event:
        return browser.go(here(self))

    async def _act(
        self,
        service: Callable[..., Any],
        /,
        *,
        read: bool = False,
        refuse: Callable[[ServiceError], Event | Awaitable[Event | None] | None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """`service(actor, **kwargs)` for the signed-in viewer, like FastAPI's `CurrentUser`:
        the lookup and the refusal live here once.

        Without a session the answer is `Refused` with the login page; a `ServiceError` gives
        `Refused(refuse(error))` (a toast unless the handler says where its message goes;
        `refuse` may be a coroutine function, to reload before answering).
        A plain function runs in a worker thread, and wakes every live page unless it only
        `read`s; a coroutine function (a page's composed reads) is awaited as it is.
        """
        actor = await self._actor()
        if actor is None:
            return Refused(self._to_sign_in())
        try:
            if inspect.iscoroutinefunction(service):
                return await service(actor, **kwargs)
            if read:
                return await asyncio.to_thread(service, actor, **kwargs)
            return await write(service, actor, **kwargs)
        except ServiceError as error:
            answer = refuse(error) if refuse else browser.error(describe(error))
            return Refused(await answer if inspect.isawaitable(answer) else answer)

    async def _ring(self, actor: Actor) -> None:
        """Read the viewer's bell into the header (see the module docstring)."""
        token = self.router.session.client_token
        key = ("bell", actor.id)
        bell = await get_shared_reads().read(
            key, standing(key, _bell_mark, lambda: notifications.bell(actor)), bell_tab(token)
        )
        session = await self.get_state(SessionState)
        assign(session, bell_count=count_label(bell), bell_lines=[line(i) for i in bell.newest])

    async def _refresh_bell(self) -> None:
        """The bell read again; when it cannot be read it stays as it was (the page's own
        load says what went wrong)."""
        await self._act(self._ring, refuse=lambda _error: None)

    def _failed(self, error: ServiceError) -> None:
        """A refusal said in the page's own callout (`refuse=` of a page with an `error`)."""
        self.error = describe(error)

    @rx.event
    async def guard(self) -> Event | None:
        """First on_load of every signed-in page: to the login page without a session."""
        if await self._actor() is None:
            return self._to_sign_in()
        await self._refresh_bell()
        return None
