"""`/account/two-factor`: set up an authenticator app, see and renew recovery codes, turn it
off; also where staff are held whose desk requires two-factor and who have none yet.

This is the one state such an *enrolment-only* session reaches: its `_actor` resolves the
session with `sessions.resolve_for_enrolment` (every other state uses `resolve`, which sees no
session there), and `ui/gate.py` lets that session's events through to this state alone. The
services decide the rest: a restricted actor can begin and confirm an enrolment, and nothing it
could do here goes further (renewing needs a code of a confirmed app, turning off is refused
while the desk requires it). Recovery codes are shown once: a reload forgets them.
"""

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from ticket_app.services import sessions, two_factor
from ticket_app.services.access import Actor
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.ui import browser
from ticket_app.ui.messages import describe
from ticket_app.ui.state.session import Refused, SessionState, session_secret

Event = rx.event.EventSpec


def _typed(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


class TwoFactorState(SessionState):
    """The /account/two-factor page."""

    enabled: bool = False
    required: bool = False
    restricted: bool = False  # the session may do nothing else until two-factor is on
    codes_left: int = 0
    secret: str = ""  # of a set-up under way (pending until a code confirms it)
    qr_code: str = ""  # the set-up's otpauth address as an SVG data URI
    recovery_codes: list[str] = rx.field(default_factory=list)  # shown once
    confirm_error: str = ""
    renew_error: str = ""
    disable_error: str = ""
    loaded: bool = False
    error: str = ""

    async def _actor(self) -> Actor | None:
        """The session's holder, an enrolment-only session included (see the module)."""
        actor = await asyncio.to_thread(sessions.resolve_for_enrolment, session_secret(self))
        if actor is not None:
            session = await self.get_state(SessionState)
            session.viewer_id, session.viewer_role = actor.id, actor.role.value
            session.viewer_name, session.viewer_email = actor.name, actor.email
        return actor

    async def _show(self) -> Event | None:
        status = await self._act(two_factor.status, read=True, refuse=self._failed)
        if isinstance(status, Refused):
            return status.event
        actor = await self._actor()
        self.restricted = actor is not None and actor.enrolment_only
        self.enabled, self.required = status.enabled, status.required
        self.codes_left = status.recovery_codes_left
        self.error = ""
        self.loaded = True
        return None

    @rx.event
    async def load(self) -> Event | None:
        """The page's on_load (and its guard: without any session, to the login page)."""
        self.secret = self.qr_code = ""
        self.recovery_codes = []
        self.confirm_error = self.renew_error = self.disable_error = ""
        if await self._actor() is None:
            return self._to_sign_in()
        return await self._show()

    @rx.event
    async def begin(self) -> Event | None:
        """A new secret to scan (it replaces a set-up not yet confirmed)."""
        enrolment = await self._act(two_factor.begin_enrolment)
        if isinstance(enrolment, Refused):
            return enrolment.event
        self.secret, self.qr_code = enrolment.secret, enrolment.qr_data_uri
        self.confirm_error = ""
        return None

    def _field_refused(self, name: str) -> Callable[[ServiceError], Event | None]:
        """A refusal said under the form's field `name`: bad input, or anything when turning
        off (the desk requires it, too many tries); other refusals as a toast."""

        def refused(error: ServiceError) -> Event | None:
            if isinstance(error, InvalidInput) or name == "disable_error":
                setattr(self, name, describe(error))
                return None
            return browser.error(describe(error))

        return refused

    @rx.event
    async def confirm(self, form: dict[str, Any]) -> Event | None:
        """The code the app shows now turns the set-up on; the recovery codes appear once."""
        if not self.secret or not isinstance(form, dict):
            return None
        codes = await self._act(
            two_factor.confirm_enrolment,
            code=_typed(form, "code"),
            refuse=self._field_refused("confirm_error"),
        )
        if isinstance(codes, Refused):
            return codes.event
        self.secret = self.qr_code = self.confirm_error = ""
        self.recovery_codes = codes
        await self._show()
        return browser.success("Two-factor sign-in is on. Keep your recovery codes safe.")

    @rx.event
    async def renew(self, form: dict[str, Any]) -> Event | None:
        """Ten new recovery codes, for a current code of the app; the old ones stop working."""
        if not isinstance(form, dict):
            return None
        codes = await self._act(
            two_factor.renew_recovery_codes,
            code=_typed(form, "code"),
            refuse=self._field_refused("renew_error"),
        )
        if isinstance(codes, Refused):
            return codes.event
        self.renew_error = ""
        self.recovery_codes = codes
        await self._show()
        return browser.success("New recovery codes made; the old ones no longer work.")

    @rx.event
    async def disable(self, form: dict[str, Any]) -> Event | None:
        """Two-factor off, given a code (or a recovery code) or the password."""
        if not isinstance(form, dict):
            return None
        done = await self._act(
            two_factor.disable,
            code=_typed(form, "code"),
            password=form.get("password") if isinstance(form.get("password"), str) else "",
            refuse=self._field_refused("disable_error"),
        )
        if isinstance(done, Refused):
            return done.event
        self.disable_error = ""
        self.recovery_codes = []
        await self._show()
        return browser.success("Two-factor sign-in is off.")

    @rx.event
    def hide_codes(self) -> None:
        self.recovery_codes = []
