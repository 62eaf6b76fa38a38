"""`/api/canned-replies/`: agents' saved answers and macros (staff only), and
`/api/tickets/{id}/canned-replies/{canned_id}/insert/`: one filled in for a ticket."""

from typing import Annotated

from fastapi import Query, Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import canned_replies
from ticket_app.services.canned_replies import (
    CannedInsert,
    CannedReplyCreate,
    CannedReplyPatch,
    CannedReplyRead,
)

router = resource_router("canned-replies")
Search = Annotated[str, Query(max_length=200, description="Part of the name or the text")]


@router.get(
    "/canned-replies/",
    response_model=list[CannedReplyRead],
    responses=problem_responses(400, 401, 403, 503),
)
async def list_canned(actor: CurrentActor, q: Search = "") -> list[CannedReplyRead]:
    """Yours, then the shared ones, by name; `q` searches names and texts."""
    return await run_in_threadpool(canned_replies.list_canned, actor, search=q)


@router.post(
    "/canned-replies/",
    status_code=status.HTTP_201_CREATED,
    response_model=CannedReplyRead,
    responses=problem_responses(400, 401, 403, 413, 503),
)
async def create_canned(
    body: CannedReplyCreate, response: Response, actor: CurrentActor
) -> CannedReplyRead:
    """A new canned reply; an unknown `{{placeholder}}` in `body` is refused (400)."""
    canned = await run_in_threadpool(canned_replies.create_canned, actor, data=body)
    response.headers["Location"] = f"/api/canned-replies/{canned.id}/"
    return canned


@router.get(
    "/canned-replies/{canned_id:int}/",
    response_model=CannedReplyRead,
    responses=problem_responses(401, 403, 404, 503),
)
async def get_canned(canned_id: int, actor: CurrentActor) -> CannedReplyRead:
    return await run_in_threadpool(canned_replies.get_canned, actor, canned_id=canned_id)


@router.patch(
    "/canned-replies/{canned_id:int}/",
    response_model=CannedReplyRead,
    responses=problem_responses(400, 401, 403, 404, 413, 503),
)
async def update_canned(
    canned_id: int, body: CannedReplyPatch, actor: CurrentActor
) -> CannedReplyRead:
    """Change the fields sent (an action sent as null is removed)."""
    return await run_in_threadpool(
        canned_replies.update_canned, actor, canned_id=canned_id, patch=body
    )


@router.delete(
    "/canned-replies/{canned_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 503),
)
async def delete_canned(canned_id: int, actor: CurrentActor) -> Response:
    await run_in_threadpool(canned_replies.delete_canned, actor, canned_id=canned_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/tickets/{ticket_id:int}/canned-replies/{canned_id:int}/insert/",
    response_model=CannedInsert,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def insert_canned(ticket_id: int, canned_id: int, actor: CurrentActor) -> CannedInsert:
    """The text filled in for this ticket (nothing is sent); a macro's actions are applied
    to the ticket, and `ticket` shows it after them."""
    return await run_in_threadpool(
        canned_replies.insert_canned, actor, canned_id=canned_id, ticket_id=ticket_id
    )
