"""`/admin/sla`: admins add and remove business-hours calendars and service-level policies
(changing one is the API's PATCH; the page says that a change applies to tickets opened after
it). Hours and own holidays are typed as lines (`mon 09:00-12:30 13:30-17:00`,
`2026-12-24 Christmas Eve`) and checked by the services like the API's JSON."""

from typing import Any

import reflex as rx

from ticket_app.services import sla_calendars, sla_policies
from ticket_app.services.errors import FieldError, InvalidInput, ServiceError
from ticket_app.sla import clock
from ticket_app.ui import browser
from ticket_app.ui.messages import describe, field_messages
from ticket_app.ui.state.session import Refused, SessionState

TARGETS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")


def hours_text(hours: dict[str, list[list[str]]]) -> str:
    return "\n".join(
        f"{day} " + " ".join(f"{start}-{end}" for start, end in hours[day])
        for day in clock.DAYS
        if day in hours
    )


def parse_hours_text(text: str) -> dict[str, list[list[str]]]:
    """`mon 09:00-12:30 13:30-17:00` per line; InvalidInput naming `hours` otherwise."""
    week: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        day, *ranges = line.split()
        if not ranges or any(part.count("-") != 1 for part in ranges):
            raise InvalidInput.single("hours", f"write a day then ranges: {line.strip()!r}")
        week[day.lower()] = [part.split("-") for part in ranges]
    return week


def parse_holidays_text(text: str) -> list[dict[str, str]]:
    days = []
    for line in text.splitlines():
        if line.strip():
            day, _, name = line.strip().partition(" ")
            days.append({"date": day, "name": name.strip() or "Closed"})
    return days


def _minutes(value: Any) -> int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput([FieldError("minutes", "targets are whole business minutes")])
    return int(value)


class SlaAdminState(SessionState):
    """The /admin/sla page."""

    calendars: list[dict[str, str]] = rx.field(default_factory=list)
    policies: list[dict[str, str]] = rx.field(default_factory=list)
    form_errors: dict[str, str] = rx.field(default_factory=dict)
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        found = await self._act(
            lambda actor: (sla_calendars.list_calendars(actor), sla_policies.list_policies(actor)),
            read=True,
            refuse=self._failed,
        )
        if isinstance(found, Refused):
            return found.event
        calendars, policies = found
        names = {calendar.id: calendar.name for calendar in calendars}
        self.calendars = [
            {
                "id": str(calendar.id),
                "name": calendar.name,
                "time_zone": calendar.time_zone,
                "hours": hours_text(calendar.hours),
                "holidays": " ".join(
                    part for part in (calendar.holiday_country, calendar.holiday_region) if part
                )
                + (f" + {len(calendar.own_holidays)} own dates" if calendar.own_holidays else ""),
                "default": "yes" if calendar.is_default else "",
            }
            for calendar in calendars
        ]
        self.policies = [
            {
                "id": str(policy.id),
                "scope": policy.priority.value
                + (f" / {policy.category.value}" if policy.category else " / every category"),
                "calendar": names.get(policy.calendar_id or 0, ""),
                **{
                    name: "—" if getattr(policy, name) is None else str(getattr(policy, name))
                    for name in TARGETS
                },
            }
            for policy in policies
        ]
        self.error = ""
        self.loaded = True
        return None

    def _failed(self, error: ServiceError) -> None:
        self.error = describe(error)
        self.loaded = True

    def _form_refused(self, error: ServiceError) -> rx.event.EventSpec | None:
        if isinstance(error, InvalidInput):
            self.form_errors = field_messages(error)
            return None
        return browser.error(describe(error))

    @rx.event
    async def create_calendar(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        def create(actor: Any) -> Any:
            data = {
                "name": form.get("name") or "",
                "time_zone": (form.get("time_zone") or "UTC").strip(),
                "hours": parse_hours_text(str(form.get("hours") or "")),
                "holiday_country": (form.get("holiday_country") or "").strip() or None,
                "holiday_region": (form.get("holiday_region") or "").strip() or None,
                "own_holidays": parse_holidays_text(str(form.get("own_holidays") or "")),
            }
            return sla_calendars.create_calendar(actor, data=sla_calendars.validate(data))

        made = await self._act(create, refuse=self._form_refused)
        if isinstance(made, Refused):
            return made.event
        self.form_errors = {}
        await self.load()
        return browser.success("Calendar added.")

    @rx.event
    async def create_policy(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        def create(actor: Any) -> Any:
            calendar = form.get("calendar_id") or ""
            data = {
                "priority": form.get("priority"),
                "category": form.get("category") or None,
                "calendar_id": int(calendar) if str(calendar).isdigit() else None,
                **{name: _minutes(form.get(name)) for name in TARGETS},
            }
            return sla_policies.create_policy(actor, data=sla_policies.validate(data))

        made = await self._act(create, refuse=self._form_refused)
        if isinstance(made, Refused):
            return made.event
        self.form_errors = {}
        await self.load()
        return browser.success("Policy added; it applies to tickets opened from now on.")

    @rx.event
    async def delete_policy(self, policy_id: str) -> rx.event.EventSpec | None:
        if not isinstance(policy_id, str) or not policy_id.isdigit():
            return None
        done = await self._act(sla_policies.delete_policy, policy_id=int(policy_id))
        if isinstance(done, Refused):
            return done.event
        await self.load()
        return browser.success("Policy deleted; tickets opened before keep their targets.")

    @rx.event
    async def delete_calendar(self, calendar_id: str) -> rx.event.EventSpec | None:
        if not isinstance(calendar_id, str) or not calendar_id.isdigit():
            return None
        done = await self._act(sla_calendars.delete_calendar, calendar_id=int(calendar_id))
        if isinstance(done, Refused):
            return done.event
        await self.load()
        return browser.success("Calendar deleted.")
