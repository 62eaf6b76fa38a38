"""`/api/sla/`: business-hours calendars and service-level policies (admins), the dashboard's
figures (staff), and `/api/tickets/{id}/sla/`, how a ticket's timers were computed (staff)."""

from typing import Any

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.domain import Category, Priority
from ticket_app.services import sla, sla_calendars, sla_policies
from ticket_app.services.sla_calendars import CalendarData, CalendarRead, OwnHoliday
from ticket_app.services.sla_policies import PolicyData, PolicyRead

router = resource_router("sla")
ADMIN = (400, 401, 403, 503)


class CalendarPatch(BaseModel):
    """Only the fields sent change; `is_default: true` makes this the default calendar."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    time_zone: str | None = None
    hours: dict[str, list[list[str]]] | None = None
    holiday_country: str | None = None
    holiday_region: str | None = None
    own_holidays: list[OwnHoliday] | None = None
    is_default: bool | None = None


class PolicyPatch(BaseModel):
    """Only the fields sent change; null clears a target. Applies to tickets opened after."""

    model_config = ConfigDict(extra="forbid")

    priority: Priority | None = None
    category: Category | None = None
    calendar_id: int | None = None
    first_response_minutes: int | None = Field(default=None, ge=0)
    next_response_minutes: int | None = Field(default=None, ge=0)
    resolution_minutes: int | None = Field(default=None, ge=0)


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, mode="json")


@router.get(
    "/sla/calendars/", response_model=list[CalendarRead], responses=problem_responses(*ADMIN)
)
async def list_calendars(actor: CurrentActor) -> list[CalendarRead]:
    """Every calendar, the default first (created on first need: Monday-Friday 09:00-17:00 UTC)."""
    return await run_in_threadpool(sla_calendars.list_calendars, actor)


@router.post(
    "/sla/calendars/",
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarRead,
    responses=problem_responses(*ADMIN),
)
async def create_calendar(
    body: CalendarData, response: Response, actor: CurrentActor
) -> CalendarRead:
    """A calendar: time zone, weekly hours (several ranges a day), the public holidays of a
    country (and region) and the desk's own dates. One with no open hours is refused."""
    calendar = await run_in_threadpool(sla_calendars.create_calendar, actor, data=body)
    response.headers["Location"] = f"/api/sla/calendars/{calendar.id}/"
    return calendar


@router.patch(
    "/sla/calendars/{calendar_id:int}/",
    response_model=CalendarRead,
    responses=problem_responses(*ADMIN, 404),
)
async def update_calendar(
    calendar_id: int, body: CalendarPatch, actor: CurrentActor
) -> CalendarRead:
    """Change a calendar; policies on it apply the change to tickets opened from now on."""
    changes = _sent(body)
    is_default = changes.pop("is_default", None)
    return await run_in_threadpool(
        sla_calendars.update_calendar,
        actor,
        calendar_id=calendar_id,
        changes=changes,
        is_default=is_default,
    )


@router.delete(
    "/sla/calendars/{calendar_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ADMIN, 404),
)
async def delete_calendar(calendar_id: int, actor: CurrentActor) -> Response:
    """Delete a calendar no policy uses (never the default)."""
    await run_in_threadpool(sla_calendars.delete_calendar, actor, calendar_id=calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sla/policies/", response_model=list[PolicyRead], responses=problem_responses(*ADMIN))
async def list_policies(actor: CurrentActor) -> list[PolicyRead]:
    return await run_in_threadpool(sla_policies.list_policies, actor)


@router.post(
    "/sla/policies/",
    status_code=status.HTTP_201_CREATED,
    response_model=PolicyRead,
    responses=problem_responses(*ADMIN),
)
async def create_policy(body: PolicyData, response: Response, actor: CurrentActor) -> PolicyRead:
    """Targets for a priority (optionally one category), in business minutes; null: none.
    Applies to tickets opened from now on."""
    policy = await run_in_threadpool(sla_policies.create_policy, actor, data=body)
    response.headers["Location"] = f"/api/sla/policies/{policy.id}/"
    return policy


@router.patch(
    "/sla/policies/{policy_id:int}/",
    response_model=PolicyRead,
    responses=problem_responses(*ADMIN, 404),
)
async def update_policy(policy_id: int, body: PolicyPatch, actor: CurrentActor) -> PolicyRead:
    """Change a policy; tickets opened before keep the terms they were opened under."""
    return await run_in_threadpool(
        sla_policies.update_policy, actor, policy_id=policy_id, changes=_sent(body)
    )


@router.delete(
    "/sla/policies/{policy_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*ADMIN, 404),
)
async def delete_policy(policy_id: int, actor: CurrentActor) -> Response:
    await run_in_threadpool(sla_policies.delete_policy, actor, policy_id=policy_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sla/dashboard/", response_model=sla.SlaDashboard, responses=problem_responses(401, 403, 503)
)
async def dashboard(actor: CurrentActor) -> sla.SlaDashboard:
    """The last 30 days: share of targets met in time per priority, median business time to
    first response; tickets breached now (agents and admins)."""
    return await run_in_threadpool(sla.dashboard, actor)


@router.get(
    "/tickets/{ticket_id:int}/sla/",
    response_model=sla.SlaExplanation,
    responses=problem_responses(401, 403, 404, 503),
)
async def explain(ticket_id: int, actor: CurrentActor) -> sla.SlaExplanation:
    """How the ticket's timers were computed, replayed from its history: for each target the
    spans counted, the closed hours and holidays skipped, the pauses (agents and admins)."""
    return await run_in_threadpool(sla.explain, actor, ticket_id=ticket_id)
