"""`/api/tickets/{id}/history/`: everything that happened to a ticket, oldest first."""

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ticket_app.api.deps import CurrentActor
from ticket_app.api.params import PageCursor, PageLimit
from ticket_app.api.problems import problem_responses
from ticket_app.api.routes.tickets import next_page_link, total_headers
from ticket_app.api.routing import resource_router
from ticket_app.services import timeline
from ticket_app.services.schemas import PAGE_LIMIT_DEFAULT, Timestamp

router = resource_router("history")


class Who(BaseModel):
    id: int
    name: str


class CommentRef(BaseModel):
    id: int
    public: bool
    body: str
    origin_ticket_id: int | None


class HistoryEntry(BaseModel):
    """One thing that happened. `created` keeps the suggestion (old) and what was kept (new)
    as `category/priority`; `assigned` keeps user ids; `commented` names its comment."""

    id: int
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    at: Timestamp
    actor: Who | None = Field(description="null: the system (a migration, the CLI)")
    via: str = Field(description="`api` when an API token was used, else `ui`")
    token_name: str | None = Field(description="The API token's name; for staff only")
    comment: CommentRef | None


def _entry(item: timeline.TimelineEntry) -> HistoryEntry:
    comment = None
    if item.comment_id is not None and item.comment_body is not None:
        comment = CommentRef(
            id=item.comment_id,
            public=bool(item.comment_public),
            body=item.comment_body,
            origin_ticket_id=item.comment_origin,
        )
    return HistoryEntry(
        id=item.id,
        kind=item.kind,
        field=item.field,
        old_value=item.old_value,
        new_value=item.new_value,
        at=item.at,
        actor=Who(id=item.actor_id, name=item.actor_name or "") if item.actor_id else None,
        via="api" if item.via_api else "ui",
        token_name=item.token_name,
        comment=comment,
    )


@router.get(
    "/tickets/{ticket_id:int}/history/",
    response_model=list[HistoryEntry],
    responses=problem_responses(400, 401, 404, 503),
)
async def ticket_history(
    ticket_id: int,
    request: Request,
    response: Response,
    actor: CurrentActor,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
) -> list[HistoryEntry]:
    """Oldest first, paged by `Link: rel="next"`, `X-Total-Count` entries in all. Requesters
    see the public entries only."""
    page = await run_in_threadpool(
        timeline.timeline, actor, ticket_id=ticket_id, limit=limit, cursor=cursor
    )
    total_headers(response, page.total, capped=False)
    if page.next_cursor:
        response.headers["Link"] = next_page_link(request, page.next_cursor, limit)
    return [_entry(item) for item in page.entries]
