"""The REST routes: thin translations between HTTP and the tickets service.

Handlers are async and hand the blocking service call to the threadpool themselves: a sync
handler would pay a second thread hop for FastAPI's response validation.
"""

from typing import Annotated, Literal

from fastapi import Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ticket_app.api.problems import problem
from ticket_app.api.routing import SlashOptionalRouter
from ticket_app.classifier import classify
from ticket_app.domain import MAX_TICKET_ID, Category, Priority
from ticket_app.services import tickets
from ticket_app.services.errors import DatabaseUnavailable, NotFound
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    Description,
    Stats,
    TicketCreate,
    TicketPatch,
    TicketRead,
    parse_filters,
)

router = SlashOptionalRouter(prefix="/api")

FilterText = Annotated[str | None, Query(description="One value or a comma list")]
SearchText = Annotated[
    str | None, Query(description="Case-insensitive substring of title or description")
]
PROBLEM = {"content": {"application/problem+json": {}}}


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description


class ClassifyResult(BaseModel):
    suggested_category: Category
    suggested_priority: Priority
    source: Literal["gemini", "local", "default"]
    used_fallback: bool
    confidence: float = Field(ge=0, le=1)


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


def _ticket_id(ticket_id: int) -> int:
    if not 1 <= ticket_id <= MAX_TICKET_ID:
        raise NotFound(ticket_id)
    return ticket_id


@router.get("/health/", response_model=Health, responses={503: PROBLEM}, tags=["health"])
async def health() -> Response | Health:
    """Answers 200 only when the database answers a query."""
    try:
        await run_in_threadpool(tickets.check_database)
    except DatabaseUnavailable as error:
        return problem(503, str(error), headers={"Retry-After": "5"}, database="unavailable")
    return Health(status="ok", database="ok")


@router.post(
    "/tickets/",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketRead,
    responses={400: PROBLEM, 413: PROBLEM},
    tags=["tickets"],
)
async def create_ticket(body: TicketCreate, response: Response) -> TicketRead:
    """Create a ticket; category and priority are classified when missing."""
    ticket = await run_in_threadpool(tickets.create_ticket, body)
    response.headers["Location"] = f"/api/tickets/{ticket.id}/"
    return ticket


@router.get(
    "/tickets/", response_model=list[TicketRead], responses={400: PROBLEM}, tags=["tickets"]
)
async def list_tickets(
    request: Request,
    response: Response,
    category: FilterText = None,
    priority: FilterText = None,
    status: FilterText = None,
    search: SearchText = None,
    limit: Annotated[int, Query(description="Page size, 1..200")] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[str | None, Query(description="From the previous page's Link")] = None,
) -> list[TicketRead]:
    """Newest first; `Link: rel="next"` continues. `X-Total-Count` counts every match, except
    that a search stops counting at 10,000 and then also sends `X-Total-Count-Capped: true`."""
    filters = parse_filters(
        category=category, priority=priority, status=status, search=search, limit=limit
    )
    page = await run_in_threadpool(tickets.list_tickets, filters, limit, cursor or None)
    response.headers["X-Total-Count"] = str(page.total)
    if page.total_capped:
        response.headers["X-Total-Count-Capped"] = "true"
    if page.next_cursor:
        next_url = request.url.include_query_params(cursor=page.next_cursor, limit=limit)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return page.items


@router.get("/tickets/stats/", response_model=Stats, responses={400: PROBLEM}, tags=["tickets"])
async def ticket_stats(
    category: FilterText = None,
    priority: FilterText = None,
    status: FilterText = None,
    search: SearchText = None,
) -> Stats:
    """Totals and breakdowns, optionally narrowed by the list's filters."""
    filters = parse_filters(category=category, priority=priority, status=status, search=search)
    return await run_in_threadpool(tickets.get_stats, filters)


@router.post(
    "/tickets/classify/", response_model=ClassifyResult, responses={400: PROBLEM}, tags=["tickets"]
)
async def classify_description(body: ClassifyRequest) -> ClassifyResult:
    """Suggest a category and priority; falls back to the offline model, never fails."""
    suggestion = await run_in_threadpool(classify, body.description)
    return ClassifyResult(
        suggested_category=suggestion.category,
        suggested_priority=suggestion.priority,
        source=suggestion.source,
        used_fallback=suggestion.used_fallback,
        confidence=round(suggestion.confidence, 3),
    )


@router.get(
    "/tickets/{ticket_id}/", response_model=TicketRead, responses={404: PROBLEM}, tags=["tickets"]
)
async def get_ticket(ticket_id: int) -> TicketRead:
    return await run_in_threadpool(tickets.get_ticket, _ticket_id(ticket_id))


@router.patch(
    "/tickets/{ticket_id}/",
    response_model=TicketRead,
    responses={400: PROBLEM, 404: PROBLEM},
    tags=["tickets"],
)
async def update_ticket(ticket_id: int, body: TicketPatch) -> TicketRead:
    """Change any of status, category, priority, title, description; only those sent."""
    return await run_in_threadpool(tickets.update_ticket, _ticket_id(ticket_id), body)


@router.delete(
    "/tickets/{ticket_id}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: PROBLEM},
    tags=["tickets"],
)
async def delete_ticket(ticket_id: int) -> Response:
    await run_in_threadpool(tickets.delete_ticket, _ticket_id(ticket_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
