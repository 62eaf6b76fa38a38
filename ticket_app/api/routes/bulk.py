"""`/api/tickets/bulk/`: one change (or a delete) for many tickets, all or nothing."""

from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import bulk
from ticket_app.services.bulk import BULK_CAP, BulkRequest

router = resource_router("tickets")


class BulkAnswer(BaseModel):
    matched: int
    changed: int


DESCRIPTION = (
    '`{"ids": [...]}` or `{"filters": {...}}` (the list\'s filters) with `{"set": {...}}` '
    '(agents and admins) or `{"delete": true}` (admins); at most '
    f"{BULK_CAP:,} tickets. Every id must be one you may see; nothing is written unless all "
    "is. `changed` counts the tickets that were not already so."
)


@router.post(
    "/tickets/bulk/",
    response_model=BulkAnswer,
    responses=problem_responses(400, 401, 403, 404, 413, 503),
    description=DESCRIPTION,
)
async def bulk_change(body: BulkRequest, actor: CurrentActor) -> BulkAnswer:
    result = await run_in_threadpool(bulk.bulk_change, actor, request=body)
    return BulkAnswer(matched=result.matched, changed=result.changed)
