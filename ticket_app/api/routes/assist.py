"""`/api/tickets/{id}/draft/` (a suggested reply), its feedback, and
`/api/tickets/{id}/summary/`: help for staff answering a ticket (see services/drafts.py and
services/summaries.py). Requesters get 403."""

from fastapi import Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import drafts, summaries
from ticket_app.services.drafts import DraftFeedback, DraftRead
from ticket_app.services.summaries import SummaryRead

router = resource_router("assist")


@router.post(
    "/tickets/{ticket_id:int}/draft/",
    response_model=DraftRead,
    responses=problem_responses(401, 403, 404, 503),
)
async def suggest_reply(ticket_id: int, actor: CurrentActor) -> DraftRead:
    """A draft reply grounded in solved tickets' public answers and canned replies, with its
    sources; another customer's data is redacted from every source. Nothing is sent."""
    return await run_in_threadpool(drafts.suggest, actor, ticket_id=ticket_id)


@router.post(
    "/tickets/{ticket_id:int}/drafts/{draft_id:int}/feedback/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def draft_feedback(
    ticket_id: int, draft_id: int, body: DraftFeedback, actor: CurrentActor
) -> Response:
    """Whether a draft of yours helped (a second verdict replaces the first)."""
    await run_in_threadpool(
        drafts.give_feedback, actor, ticket_id=ticket_id, draft_id=draft_id, helpful=body.helpful
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/tickets/{ticket_id:int}/summary/",
    response_model=SummaryRead,
    responses=problem_responses(401, 403, 404, 503),
)
async def ticket_summary(ticket_id: int, actor: CurrentActor) -> SummaryRead:
    """The public conversation summarised (request, tried, open, latest, mood); stored per
    ticket version, so it is made again only after the ticket changed."""
    return await run_in_threadpool(summaries.get_summary, actor, ticket_id=ticket_id)
