"""`/api/health/`: public, for load balancers and container health checks.

It answers on a connection and worker threads of its own, so requests that fill the app's
pool or the shared threadpool cannot make a working app look dead.
"""

from typing import Literal

import anyio
from fastapi import Response
from pydantic import BaseModel

from ticket_app.api.problems import problem, problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services.errors import DatabaseUnavailable
from ticket_app.services.health import MailQueue, check_database, mail_quarantine, mail_queue

router = resource_router("health", public=True)
HEALTH_THREADS = anyio.CapacityLimiter(2)


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    mail_queue: MailQueue
    mail_quarantine: int


@router.get("/health/", response_model=Health, responses=problem_responses(503))
async def health() -> Response | Health:
    """Answers 200 only when the database answers a query, on a connection of its own;
    `mail_queue` says whether mail is going out ("stuck" does not change the status),
    `mail_quarantine` how many received messages wait for an admin (up to 1,000)."""
    try:
        await anyio.to_thread.run_sync(check_database, limiter=HEALTH_THREADS)
        queue = await anyio.to_thread.run_sync(mail_queue, limiter=HEALTH_THREADS)
        quarantined = await anyio.to_thread.run_sync(mail_quarantine, limiter=HEALTH_THREADS)
    except DatabaseUnavailable as error:
        return problem(503, str(error), headers={"Retry-After": "5"}, database="unavailable")
    return Health(status="ok", database="ok", mail_queue=queue, mail_quarantine=quarantined)
