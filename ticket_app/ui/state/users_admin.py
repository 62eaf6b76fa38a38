"""`/admin/users`: admins add people with a role, change roles, (de)activate and reset
passwords. The service refuses anything a non-admin sends, and demoting or deactivating the
last active admin."""

from typing import Any

import reflex as rx

from ticket_app.domain import Role
from ticket_app.services import users
from ticket_app.services.errors import InvalidInput, ServiceError
from ticket_app.ui import browser
from ticket_app.ui.labels import ROLE_LABELS
from ticket_app.ui.messages import describe, field_messages
from ticket_app.ui.state.session import Refused, SessionState


def _rows(people: list[users.UserRead]) -> list[dict[str, str]]:
    return [
        {
            "id": str(person.id),
            "name": person.name,
            "email": person.email,
            "role": person.role.value,
            "active": "yes" if person.active else "",
            "last_seen_at": person.last_seen_at.isoformat() if person.last_seen_at else "",
        }
        for person in people
    ]


class UsersState(SessionState):
    """The /admin/users page."""

    people: list[dict[str, str]] = rx.field(default_factory=list)
    form_errors: dict[str, str] = rx.field(default_factory=dict)
    reset_for: str = ""
    reset_error: str = ""
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        people = await self._act(users.list_users, read=True, refuse=self._failed)
        if isinstance(people, Refused):
            return people.event
        self.people = _rows(people)
        self.error = ""
        self.loaded = True
        return None

    async def _patch(
        self, user_id: Any, changes: dict[str, Any], done: str
    ) -> rx.event.EventSpec | None:
        if not isinstance(user_id, str) or not user_id.isdigit():
            return browser.error("Choose a user from the list.")
        person = await self._act(
            lambda actor: users.update_user(
                actor, user_id=int(user_id), patch=users.validate_user_patch(changes)
            )
        )
        if isinstance(person, Refused):
            return person.event
        await self.load()
        return browser.success(done.format(name=person.name))

    def _form_refused(self, error: ServiceError) -> rx.event.EventSpec | None:
        if isinstance(error, InvalidInput):
            self.form_errors = field_messages(error)
            return None
        return browser.error(describe(error))

    @rx.event
    async def create(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        fields = {key: form.get(key) for key in ("email", "name", "role", "password")}
        person = await self._act(
            lambda actor: users.create_user(actor, data=users.validate_user_create(fields)),
            refuse=self._form_refused,
        )
        if isinstance(person, Refused):
            return person.event
        self.form_errors = {}
        await self.load()
        role = ROLE_LABELS[person.role].lower()
        return browser.success(f"{person.name} can now sign in as {role}.")

    @rx.event
    async def set_role(self, user_id: str, role: str) -> rx.event.EventSpec | None:
        label = ROLE_LABELS.get(role, role)
        return await self._patch(user_id, {"role": role}, "{name} is now " + f"{label.lower()}.")

    @rx.event
    async def deactivate(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._patch(user_id, {"active": False}, "{name} was deactivated.")

    @rx.event
    async def reactivate(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._patch(user_id, {"active": True}, "{name} can sign in again.")

    @rx.event
    async def start_reset(self, user_id: str) -> rx.event.EventSpec | None:
        """Open the reset form for one of the listed people (admins only, like the reset)."""
        if await self._actor() is None:
            return self._to_sign_in()
        if not self.can_manage_users:
            return None
        listed = {person["id"] for person in self.people}
        self.reset_for = user_id if isinstance(user_id, str) and user_id in listed else ""
        self.reset_error = ""
        return None

    @rx.event
    def cancel_reset(self) -> None:
        self.reset_for = ""

    @rx.event
    async def reset_password(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        password = form.get("password")
        if not self.reset_for or not isinstance(password, str):
            return None
        try:
            users.validate_user_patch({"password": password})
        except InvalidInput as error:
            self.reset_error = describe(error)
            return None
        user_id, self.reset_for = self.reset_for, ""
        return await self._patch(
            user_id, {"password": password}, "{name}'s password was reset; their sessions ended."
        )


ROLE_CHOICES = {role.value: ROLE_LABELS[role] for role in Role}
