"""The REST routes: thin translations between HTTP and the tickets service.

Handlers are async and hand the blocking service call to the threadpool themselves: a sync
handler would pay a second thread hop for FastAPI's response validation.
"""

from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import anyio
from fastapi import Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ticket_app.api.problems import problem, problem_responses
from ticket_app.api.routing import SlashOptionalRouter, add_fallback
from ticket_app.classifier import classify
from ticket_app.config import get_settings
from ticket_app.domain import Category, Priority, Status
from ticket_app.services import tickets
from ticket_app.services.errors import DatabaseUnavailable
from ticket_app.services.health import check_database
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    SEARCH_MAX_LENGTH,
    Description,
    Stats,
    TicketCreate,
    TicketPatch,
    TicketRead,
    parse_filters,
)

router = SlashOptionalRouter(prefix="/api")
# The health check's own worker threads: requests that fill the shared threadpool cannot
# hold it up.
HEALTH_THREADS = anyio.CapacityLimiter(2)


def _filter(enum: type[StrEnum]) -> Any:
    """A comma-list filter parameter. The pattern only documents it: `parse_filters` checks
    the values, so a wrong one is named in a 400 rather than rejected by a regex."""
    values = [member.value for member in enum]
    one = "(?:" + "|".join(values) + ")"
    return Annotated[
        str | None,
        Query(
            description="One of " + ", ".join(values) + ", or a comma list of them",
            json_schema_extra={"pattern": rf"^\s*(?:{one}\s*(?:,\s*{one}\s*)*)?$"},
        ),
    ]


CategoryFilter = _filter(Category)
PriorityFilter = _filter(Priority)
StatusFilter = _filter(Status)
SearchText = Annotated[
    str | None,
    Query(
        description="Case-insensitive substring of title or description",
        json_schema_extra={"maxLength": SEARCH_MAX_LENGTH},
    ),
]
PageCursor = Annotated[
    str | None,
    Query(
        description="Opaque; copy it from the previous page's Link header",
        json_schema_extra={"pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"},
    ),
]
PageLimit = Annotated[
    int,
    Query(
        description=f"Page size, 1..{PAGE_LIMIT_MAX}",
        json_schema_extra={"minimum": 1, "maximum": PAGE_LIMIT_MAX},
    ),
]


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


@router.get("/health/", response_model=Health, responses=problem_responses(503), tags=["health"])
async def health() -> Response | Health:
    """Answers 200 only when the database answers a query, on a connection of its own."""
    try:
        await anyio.to_thread.run_sync(check_database, limiter=HEALTH_THREADS)
    except DatabaseUnavailable as error:
        return problem(503, str(error), headers={"Retry-After": "5"}, database="unavailable")
    return Health(status="ok", database="ok")


@router.post(
    "/tickets/",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketRead,
    responses=problem_responses(400, 413, 503),
    tags=["tickets"],
)
async def create_ticket(body: TicketCreate, response: Response) -> TicketRead:
    """Create a ticket; category and priority are classified when missing."""
    ticket = await run_in_threadpool(tickets.create_ticket, body)
    response.headers["Location"] = f"/api/tickets/{ticket.id}/"
    return ticket


@router.get(
    "/tickets/",
    response_model=list[TicketRead],
    responses=problem_responses(400, 503),
    tags=["tickets"],
)
async def list_tickets(
    request: Request,
    response: Response,
    category: CategoryFilter = None,
    priority: PriorityFilter = None,
    status: StatusFilter = None,
    search: SearchText = None,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
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
        own = urlsplit(get_settings().app_url)  # never the request's Host
        next_url = request.url.replace(scheme=own.scheme, netloc=own.netloc)
        next_url = next_url.include_query_params(cursor=page.next_cursor, limit=limit)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return page.items


@router.get(
    "/tickets/stats/", response_model=Stats, responses=problem_responses(400, 503), tags=["tickets"]
)
async def ticket_stats(
    category: CategoryFilter = None,
    priority: PriorityFilter = None,
    status: StatusFilter = None,
    search: SearchText = None,
) -> Stats:
    """Totals and breakdowns, optionally narrowed by the list's filters."""
    filters = parse_filters(category=category, priority=priority, status=status, search=search)
    return await run_in_threadpool(tickets.get_stats, filters)


@router.post(
    "/tickets/classify/",
    response_model=ClassifyResult,
    responses=problem_responses(400, 413),
    tags=["tickets"],
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
    "/tickets/{ticket_id:int}/",
    response_model=TicketRead,
    responses=problem_responses(404, 503),
    tags=["tickets"],
)
async def get_ticket(ticket_id: int) -> TicketRead:
    return await run_in_threadpool(tickets.get_ticket, ticket_id)


@router.patch(
    "/tickets/{ticket_id:int}/",
    response_model=TicketRead,
    responses=problem_responses(400, 404, 413, 503),
    tags=["tickets"],
)
async def update_ticket(ticket_id: int, body: TicketPatch) -> TicketRead:
    """Change any of status, category, priority, title, description; only those sent."""
    return await run_in_threadpool(tickets.update_ticket, ticket_id, body)


@router.delete(
    "/tickets/{ticket_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 503),
    tags=["tickets"],
)
async def delete_ticket(ticket_id: int) -> Response:
    await run_in_threadpool(tickets.delete_ticket, ticket_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


add_fallback(router)  # last: it answers for every other address under /api
