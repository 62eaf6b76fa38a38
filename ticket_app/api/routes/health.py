"""`/api/health/`: public, for load balancers and container health checks."""

from typing import Literal

from fastapi import Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ticket_app.api.problems import problem, problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import tickets
from ticket_app.services.errors import DatabaseUnavailable

router = resource_router("health", public=True)


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/health/", response_model=Health, responses=problem_responses(503))
async def health() -> Response | Health:
    """Answers 200 only when the database answers a query."""
    try:
        await run_in_threadpool(tickets.check_database)
    except DatabaseUnavailable as error:
        return problem(503, str(error), headers={"Retry-After": "5"}, database="unavailable")
    return Health(status="ok", database="ok")
