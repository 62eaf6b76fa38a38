"""`/account`: the viewer's own password and API tokens.

A password change ends every session of the user, this one included, so the page goes to the
login page afterwards. A new token's secret is shown once, right after it is made.
"""

import asyncio
from typing import Any

import reflex as rx

from ticket_app.services import api_tokens, users
from ticket_app.services.access import Actor
from ticket_app.services.errors import InvalidInput, ServiceError, Throttled
from ticket_app.ui import browser
from ticket_app.ui.state.live import write
from ticket_app.ui.state.messages import describe, field_messages
from ticket_app.ui.state.session import SessionState


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


class AccountState(SessionState):
    """The /account page."""

    tokens: list[dict[str, str]] = rx.field(default_factory=list)
    new_token: str = ""
    token_error: str = ""
    password_errors: dict[str, str] = rx.field(default_factory=dict)
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.new_token = ""
        self.password_errors = {}
        return await self._show_tokens()

    async def _show_tokens(self) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        try:
            self.tokens = _token_rows(await asyncio.to_thread(api_tokens.list_own, actor))
        except ServiceError as error:
            self.error = describe(error)
            return None
        self.error = ""
        self.loaded = True
        return None

    @rx.event
    async def change_password(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        values = {key: form.get(key) for key in ("current_password", "password", "repeat")}
        if not all(isinstance(value, str) for value in values.values()):
            return None
        if values["password"] != values["repeat"]:
            self.password_errors = {"repeat": "The two new passwords differ."}
            return None
        try:
            await write(
                users.change_own_password, actor, values["current_password"], values["password"]
            )
        except InvalidInput as error:
            self.password_errors = field_messages(error)
            return None
        except Throttled as error:  # too many wrong current passwords: said beside the field
            self.password_errors = {"current_password": str(error)}
            return None
        except ServiceError as error:
            return browser.error(describe(error))
        return browser.go("/login?notice=password-changed")

    async def _token_change(self, change: Any, actor: Actor, *args: Any) -> Any:
        result = await write(change, actor, *args)
        await self._show_tokens()
        return result

    @rx.event
    async def create_token(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        days = str(form.get("expires_in_days") or "").strip()
        data = {"name": form.get("name")}
        if days:
            data["expires_in_days"] = int(days) if days.isdigit() else days
        try:
            created = await self._token_change(
                api_tokens.create, actor, api_tokens.validate_token_create(data)
            )
        except ServiceError as error:
            self.token_error = describe(error)
            return None
        self.token_error = ""
        self.new_token = created.token
        return browser.success(f"Token “{created.name}” created. Copy it now: it is shown once.")

    @rx.event
    async def revoke_token(self, token_id: str) -> rx.event.EventSpec | None:
        actor = await self._actor()
        if actor is None:
            return self._to_sign_in()
        if not isinstance(token_id, str) or not token_id.isdigit():
            return None
        try:
            token = await self._token_change(api_tokens.revoke, actor, int(token_id))
        except ServiceError as error:
            return browser.error(describe(error))
        return browser.success(f"Token “{token.name}” revoked.")

    @rx.event
    def dismiss_new_token(self) -> None:
        self.new_token = ""
