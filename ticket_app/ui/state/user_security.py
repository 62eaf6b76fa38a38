"""The users page's sign-in security, for admins: the desk's rule that staff need two-factor,
and for one person their two-factor, sessions, API tokens and security log, with ending a
session or all, revoking a token and resetting their two-factor (after a confirmation).

Every read and change goes through the services, which refuse non-admins; the person is
chosen from the people the page lists.
"""

from typing import Any

import reflex as rx

from ticket_app.services import api_tokens, security_log, sessions, two_factor, users
from ticket_app.services.access import Actor
from ticket_app.services.errors import ServiceError
from ticket_app.ui import browser
from ticket_app.ui.messages import describe
from ticket_app.ui.state.session import Refused, SessionState
from ticket_app.ui.viewmodels.security import event_rows, session_rows, token_rows

Event = rx.event.EventSpec


def _id(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _person_security(actor: Actor, *, user_id: int) -> dict[str, Any]:
    """What the panel shows of one person, read for an admin."""
    events = security_log.events_of(actor, user_id=user_id)
    by = {event.actor_id for event in events if event.actor_id is not None}
    return {
        "two_factor": user_id in two_factor.enabled_users(actor, user_ids=[user_id]),
        "sessions": sessions.list_for_user(actor, user_id=user_id),
        "tokens": api_tokens.list_for_user(actor, user_id=user_id),
        "events": events,
        "names": {person_id: person.name for person_id, person in users.people(by).items()},
    }


class UserSecurityState(SessionState):
    """The sign-in security section of /admin/users."""

    staff_two_factor_required: bool = False
    rule_error: str = ""
    user_id: str = ""  # the person shown ("" none)
    two_factor_on: bool = False
    session_rows: list[dict[str, str]] = rx.field(default_factory=list)
    token_rows: list[dict[str, str]] = rx.field(default_factory=list)
    event_rows: list[dict[str, str]] = rx.field(default_factory=list)
    confirming_reset: bool = False

    @rx.event
    async def load(self) -> Event | None:
        """The desk's rule (the page's on_load); others than admins see nothing of it."""
        self.user_id, self.confirming_reset, self.rule_error = "", False, ""
        rules = await self._act(two_factor.sign_in_rules, read=True, refuse=lambda _error: None)
        if isinstance(rules, Refused):
            return rules.event
        self.staff_two_factor_required = rules.staff_two_factor_required
        return None

    def _rule_refused(self, error: ServiceError) -> None:
        self.rule_error = describe(error)

    @rx.event
    async def set_rule(self, required: bool) -> Event | None:
        if not isinstance(required, bool):
            return None
        rules = await self._act(
            two_factor.set_sign_in_rules,
            staff_two_factor_required=required,
            refuse=self._rule_refused,
        )
        if isinstance(rules, Refused):
            return rules.event
        self.rule_error = ""
        self.staff_two_factor_required = rules.staff_two_factor_required
        return browser.success(
            "Staff now need two-factor sign-in; those without it are taken to set it up."
            if rules.staff_two_factor_required
            else "Staff no longer need two-factor sign-in."
        )

    async def _show(self, user_id: int) -> Event | None:
        found = await self._act(_person_security, read=True, user_id=user_id)
        if isinstance(found, Refused):
            self.user_id = ""
            return found.event
        self.user_id = str(user_id)
        self.two_factor_on = found["two_factor"]
        self.session_rows = session_rows(found["sessions"])
        self.token_rows = token_rows(found["tokens"])
        self.event_rows = event_rows(found["events"], found["names"])
        return None

    @rx.event
    async def show(self, user_id: str) -> Event | None:
        """Open one person's security (an id from the page's list)."""
        self.confirming_reset = False
        chosen = _id(user_id)
        if chosen is None:
            self.user_id = ""
            return None
        return await self._show(chosen)

    @rx.event
    def close(self) -> None:
        self.user_id, self.confirming_reset = "", False

    async def _then_reload(self, done: Any, message: str) -> Event | None:
        if isinstance(done, Refused):
            return done.event
        if chosen := _id(self.user_id):
            await self._show(chosen)
        return browser.success(message)

    @rx.event
    async def end_session(self, session_id: str) -> Event | None:
        chosen, session = _id(self.user_id), _id(session_id)
        if chosen is None or session is None:
            return None
        done = await self._act(sessions.end_for_user, user_id=chosen, session_id=session)
        return await self._then_reload(done, "That session is signed out.")

    @rx.event
    async def end_all_sessions(self) -> Event | None:
        chosen = _id(self.user_id)
        if chosen is None:
            return None
        done = await self._act(sessions.end_for_user, user_id=chosen)
        return await self._then_reload(done, "Every session of theirs is signed out.")

    @rx.event
    async def revoke_token(self, token_id: str) -> Event | None:
        chosen, token = _id(self.user_id), _id(token_id)
        if chosen is None or token is None:
            return None
        done = await self._act(api_tokens.revoke_for_user, user_id=chosen, token_id=token)
        return await self._then_reload(done, "The token is revoked.")

    @rx.event
    def ask_reset(self) -> None:
        self.confirming_reset = bool(self.user_id)

    @rx.event
    def cancel_reset(self) -> None:
        self.confirming_reset = False

    @rx.event
    async def reset_two_factor(self) -> Event | None:
        """After the confirmation: their two-factor off, their sessions ended (logged)."""
        chosen = _id(self.user_id) if self.confirming_reset else None
        self.confirming_reset = False
        if chosen is None:
            return None
        done = await self._act(two_factor.reset, user_id=chosen)
        return await self._then_reload(
            done, "Their two-factor is reset and their sessions ended; they set it up again."
        )
