"""`/account`: the viewer's own password, API tokens and how they are told of things.

A password change ends every session of the user, this one included, so the page goes to the
login page afterwards. A new token's secret is shown once, right after it is made. Each kind of
notification that reaches the viewer's role comes by mail, in the app, both or not at all.
"""

from typing import Any

import reflex as rx

from ticket_app.services import api_tokens, notifications, users
from ticket_app.services.errors import InvalidInput, ServiceError, Throttled
from ticket_app.ui import browser, routes
from ticket_app.ui.labels import CHANNEL_LABELS, NOTIFICATION_KIND_LABELS
from ticket_app.ui.messages import describe, field_messages
from ticket_app.ui.state.session import Refused, SessionState


def _token_rows(tokens: list[api_tokens.TokenRead]) -> list[dict[str, str]]:
    return [
        {
            "id": str(token.id),
            "name": token.name,
            "prefix": token.prefix + "…",
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else "",
            "expires_at": token.expires_at.isoformat() if token.expires_at else "",
            "revoked": "yes" if token.revoked_at else "",
        }
        for token in tokens
    ]


def _preference_rows(chosen: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"kind": kind, "label": NOTIFICATION_KIND_LABELS.get(kind, kind), "channel": channel}
        for kind, channel in chosen.items()
    ]


class AccountState(SessionState):
    """The /account page."""

    tokens: list[dict[str, str]] = rx.field(default_factory=list)
    new_token: str = ""
    token_error: str = ""
    password_errors: dict[str, str] = rx.field(default_factory=dict)
    preferences: list[dict[str, str]] = rx.field(default_factory=list)
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.new_token = ""
        self.password_errors = {}
        shown = await self._show_tokens()
        if shown is not None or self.error:
            return shown
        return await self._show_preferences()

    async def _show_preferences(self) -> rx.event.EventSpec | None:
        chosen = await self._act(notifications.preferences, read=True, refuse=self._failed)
        if isinstance(chosen, Refused):
            return chosen.event
        self.preferences = _preference_rows(chosen)
        return None

    @rx.event
    async def set_channel(self, kind: str, channel: str) -> rx.event.EventSpec | None:
        """How one kind of notification reaches the viewer (the service checks both)."""
        if not isinstance(kind, str) or not isinstance(channel, str):
            return None
        done = await self._act(notifications.set_preference, kind=kind, channel=channel)
        if isinstance(done, Refused):
            return done.event
        await self._show_preferences()
        label = NOTIFICATION_KIND_LABELS[kind]
        return browser.success(f"{label}: {CHANNEL_LABELS[channel].lower()}.")

    async def _show_tokens(self) -> rx.event.EventSpec | None:
        tokens = await self._act(api_tokens.list_own, read=True, refuse=self._failed)
        if isinstance(tokens, Refused):
            return tokens.event
        self.tokens = _token_rows(tokens)
        self.error = ""
        self.loaded = True
        return None

    def _password_refused(self, error: ServiceError) -> rx.event.EventSpec | None:
        if isinstance(error, InvalidInput):
            self.password_errors = field_messages(error)
        elif isinstance(error, Throttled):  # too many wrong current passwords: said beside it
            self.password_errors = {"current_password": str(error)}
        else:
            return browser.error(describe(error))
        return None

    @rx.event
    async def change_password(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        values = {key: form.get(key) for key in ("current_password", "password", "repeat")}
        if not all(isinstance(value, str) for value in values.values()):
            return None
        if values["password"] != values["repeat"]:
            self.password_errors = {"repeat": "The two new passwords differ."}
            return None
        done = await self._act(
            users.change_own_password,
            current=values["current_password"],
            new=values["password"],
            refuse=self._password_refused,
        )
        if isinstance(done, Refused):
            return done.event
        return browser.go(routes.with_query(routes.LOGIN, "notice=password-changed"))

    def _token_refused(self, error: ServiceError) -> None:
        self.token_error = describe(error)

    @rx.event
    async def create_token(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        days = str(form.get("expires_in_days") or "").strip()
        data = {"name": form.get("name")}
        if days:
            data["expires_in_days"] = int(days) if days.isdigit() else days
        created = await self._act(
            lambda actor: api_tokens.create(actor, data=api_tokens.validate_token_create(data)),
            refuse=self._token_refused,
        )
        if isinstance(created, Refused):
            return created.event
        await self._show_tokens()
        self.token_error = ""
        self.new_token = created.token
        return browser.success(f"Token “{created.name}” created. Copy it now: it is shown once.")

    @rx.event
    async def revoke_token(self, token_id: str) -> rx.event.EventSpec | None:
        if not isinstance(token_id, str) or not token_id.isdigit():
            return None
        token = await self._act(api_tokens.revoke, token_id=int(token_id))
        if isinstance(token, Refused):
            return token.event
        await self._show_tokens()
        return browser.success(f"Token “{token.name}” revoked.")

    @rx.event
    def dismiss_new_token(self) -> None:
        self.new_token = ""
