"""`/api/tickets/{id}/merge/`: merge a duplicate into another ticket (`services/merge.py`)."""

from fastapi import Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ticket_app.api.deps import CurrentActor, etag
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.domain import MAX_TICKET_ID
from ticket_app.services import merge
from ticket_app.services.schemas import TicketRead

router = resource_router("merge")


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(ge=1, le=MAX_TICKET_ID, description="The ticket to merge this one into")
    share_with_requester: StrictBool = Field(
        default=False,
        description="Confirms a merge across different requesters: this ticket's requester "
        "(and participants) become participants of `into` and read its public part; its "
        "requester reads this ticket's public replies. Refused (400 naming this field, "
        "saying who would read what) when needed and not sent",
    )


@router.post(
    "/tickets/{ticket_id:int}/merge/",
    response_model=TicketRead,
    responses=problem_responses(400, 401, 403, 404, 413, 503),
)
async def merge_ticket(
    ticket_id: int, body: MergeRequest, response: Response, actor: CurrentActor
) -> TicketRead:
    """Merge this ticket into `into` (agents and admins): its replies and notes move there,
    marked as coming from this ticket, and this one is closed pointing at it. Answers the
    target ticket as it is now, with its new `ETag`. Merging a ticket into itself, into a
    merged ticket or a merged ticket again is a 400 naming `into`; a merge between tickets
    read by different requesters without `share_with_requester: true` is a 400 naming it."""
    target = await run_in_threadpool(
        merge.merge,
        actor,
        source_id=ticket_id,
        into_id=body.into,
        share_with_requester=body.share_with_requester,
    )
    response.headers["ETag"] = etag(target.version)
    response.headers["Content-Location"] = f"/api/tickets/{target.id}/"
    return target
