"""`/api/tickets/similar/` and `/api/tickets/{id}/similar/`: existing tickets like a text
being written, or like a ticket, most similar first (see `services/similar.py`)."""

from typing import Annotated

from fastapi import Query
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import similar
from ticket_app.services.similar import LIMIT_MAX, SimilarQuery, SimilarTicket

router = resource_router("similar")
Limit = Annotated[
    int,
    Query(
        description=f"How many at most, 1..{LIMIT_MAX}",
        json_schema_extra={"minimum": 1, "maximum": LIMIT_MAX},
    ),
]


@router.post(
    "/tickets/similar/",
    response_model=list[SimilarTicket],
    responses=problem_responses(400, 401, 413, 503),
)
async def similar_to_text(
    body: SimilarQuery, actor: CurrentActor, limit: Limit = 5
) -> list[SimilarTicket]:
    """Tickets like the one being written (`title`, `description`, either may be empty but
    not both), with a score (0..1) and the words they share. Requesters get their own
    tickets only; tickets merged into another never appear. An empty list when the text has
    no distinctive word ("please help me")."""
    return await run_in_threadpool(
        similar.find, actor, title=body.title, description=body.description, limit=limit
    )


@router.get(
    "/tickets/{ticket_id:int}/similar/",
    response_model=list[SimilarTicket],
    responses=problem_responses(400, 401, 404, 503),
)
async def similar_to_ticket(
    ticket_id: int, actor: CurrentActor, limit: Limit = 5
) -> list[SimilarTicket]:
    """Tickets like this one (itself left out), as for a text; 404 unless you may see it."""
    return await run_in_threadpool(similar.for_ticket, actor, ticket_id=ticket_id, limit=limit)
