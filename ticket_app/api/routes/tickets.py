"""The ticket routes: thin translations between HTTP and the tickets and stats services.

Handlers are async and hand the blocking service call to the threadpool themselves: a sync
handler would pay a second thread hop for FastAPI's response validation.
"""

from typing import Literal

from fastapi import Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ticket_app.api.deps import CurrentActor, ExpectedVersion, etag
from ticket_app.api.multipart import multipart_doc
from ticket_app.api.params import Filters, PageCursor, Paged
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.config import get_settings
from ticket_app.domain import Category, Priority
from ticket_app.services import stats, suggestions, tickets
from ticket_app.services.schemas import Description, Stats, TicketCreate, TicketPatch, TicketRead

router = resource_router("tickets")
AUTH = (401, 403)


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description


class ClassifyResult(BaseModel):
    suggested_category: Category
    suggested_priority: Priority
    source: Literal["gemini", "local", "default"]
    used_fallback: bool
    confidence: float = Field(ge=0, le=1)
    confident: bool = Field(
        description="Whether the confidence reaches the threshold the form pre-fills at."
    )


def next_page_link(request: Request, cursor: str, limit: int) -> str:
    """The `Link: rel="next"` header, on the configured origin (never the request's Host)."""
    query = request.url.include_query_params(cursor=cursor, limit=limit).query
    return f'<{get_settings().app_url}{request.url.path}?{query}>; rel="next"'


def total_headers(response: Response, total: int, capped: bool) -> None:
    response.headers["X-Total-Count"] = str(total)
    if capped:
        response.headers["X-Total-Count-Capped"] = "true"


@router.post(
    "/tickets/",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketRead,
    responses=problem_responses(400, *AUTH, 413, 503),
    openapi_extra=multipart_doc(TicketCreate),
)
async def create_ticket(body: TicketCreate, response: Response, actor: CurrentActor) -> TicketRead:
    """Create a ticket; category and priority are classified when missing (always, for a
    requester's ticket). `status` imports a ticket from another desk (agents and admins)."""
    ticket = await run_in_threadpool(tickets.create_ticket, actor, data=body)
    response.headers["Location"] = f"/api/tickets/{ticket.id}/"
    response.headers["ETag"] = etag(ticket.version)
    return ticket


@router.get(
    "/tickets/",
    response_model=list[TicketRead],
    responses=problem_responses(400, *AUTH, 503),
)
async def list_tickets(
    request: Request,
    response: Response,
    actor: CurrentActor,
    paged: Paged,
    cursor: PageCursor = None,
) -> list[TicketRead]:
    """Newest first unless `sort` says otherwise; `Link: rel="next"` continues.

    `X-Total-Count` counts every match, except where the counters cannot answer (a search,
    a requester's own tickets, an `sla` filter): there it stops at 10,000 (1,000 under
    `sla`) and then also sends
    `X-Total-Count-Capped: true`.
    """
    page = await run_in_threadpool(
        tickets.list_tickets, actor, filters=paged.filters, limit=paged.limit, cursor=cursor or None
    )
    total_headers(response, page.total, page.total_capped)
    if page.next_cursor:
        response.headers["Link"] = next_page_link(request, page.next_cursor, paged.limit)
    return page.items


@router.get("/tickets/stats/", response_model=Stats, responses=problem_responses(400, *AUTH, 503))
async def ticket_stats(response: Response, actor: CurrentActor, filters: Filters) -> Stats:
    """Totals and breakdowns of the tickets you may see, optionally narrowed by the list's
    filters. Under a search (or for a requester) they cover at most the newest 10,000
    matches: `capped` and `X-Total-Count-Capped: true` say when more matched."""
    numbers = await run_in_threadpool(stats.get_stats, actor, filters=filters)
    if numbers.capped:
        response.headers["X-Total-Count-Capped"] = "true"
    return numbers


@router.post(
    "/tickets/classify/",
    response_model=ClassifyResult,
    responses=problem_responses(400, *AUTH, 413),
)
async def classify_description(body: ClassifyRequest, actor: CurrentActor) -> ClassifyResult:
    """Suggest a category and priority (agents and admins); falls back to the offline model,
    never fails because a model did."""
    suggestion = await suggestions.suggest(actor, text=body.description)
    return ClassifyResult(
        suggested_category=suggestion.category,
        suggested_priority=suggestion.priority,
        source=suggestion.source,
        used_fallback=suggestion.used_fallback,
        confidence=round(suggestion.confidence, 3),
        confident=suggestion.confident,
    )


@router.get(
    "/tickets/{ticket_id:int}/",
    response_model=TicketRead,
    responses=problem_responses(*AUTH, 404, 503),
)
async def get_ticket(
    ticket_id: int, request: Request, response: Response, actor: CurrentActor
) -> TicketRead | Response:
    """One ticket, with its version as the `ETag` (send it back as `If-Match` on PATCH).
    `If-None-Match` with the current ETag answers 304."""
    ticket = await run_in_threadpool(tickets.get_ticket, actor, ticket_id=ticket_id)
    tag = etag(ticket.version)
    if request.headers.get("if-none-match", "").strip() in {tag, f"W/{tag}"}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return ticket


@router.patch(
    "/tickets/{ticket_id:int}/",
    response_model=TicketRead,
    responses=problem_responses(400, *AUTH, 404, 412, 413, 503),
)
async def update_ticket(
    ticket_id: int,
    body: TicketPatch,
    response: Response,
    actor: CurrentActor,
    expected: ExpectedVersion,
) -> TicketRead:
    """Change any of status, category, priority, assignee_id (null unassigns), title,
    description; only those sent. With `If-Match`, a ticket changed since is a 412 and
    nothing is written. Requesters may only close their own tickets."""
    ticket = await run_in_threadpool(
        tickets.update_ticket, actor, ticket_id=ticket_id, patch=body, expected_version=expected
    )
    response.headers["ETag"] = etag(ticket.version)
    return ticket


@router.delete(
    "/tickets/{ticket_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, *AUTH, 404, 503),
)
async def delete_ticket(ticket_id: int, actor: CurrentActor) -> Response:
    """Delete a ticket with its conversation and history (admins)."""
    await run_in_threadpool(tickets.delete_ticket, actor, ticket_id=ticket_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
