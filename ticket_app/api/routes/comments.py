"""`/api/tickets/{id}/comments/`: the conversation on a ticket, oldest first."""

from fastapi import Request, Response, status
from fastapi.concurrency import run_in_threadpool

from ticket_app.api.deps import CurrentActor
from ticket_app.api.multipart import multipart_doc
from ticket_app.api.params import PageCursor, PageLimit
from ticket_app.api.problems import problem_responses
from ticket_app.api.routes.tickets import next_page_link, total_headers
from ticket_app.api.routing import resource_router
from ticket_app.services import comments
from ticket_app.services.comments import CommentCreate, CommentRead
from ticket_app.services.schemas import PAGE_LIMIT_DEFAULT

router = resource_router("comments")


@router.get(
    "/tickets/{ticket_id:int}/comments/",
    response_model=list[CommentRead],
    responses=problem_responses(400, 401, 404, 503),
)
async def list_comments(
    ticket_id: int,
    request: Request,
    response: Response,
    actor: CurrentActor,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
) -> list[CommentRead]:
    """Replies and (for agents and admins) internal notes, oldest first; `X-Total-Count` and
    `Link: rel="next"` as on the ticket list."""
    page = await run_in_threadpool(
        comments.list_comments, actor, ticket_id=ticket_id, limit=limit, cursor=cursor
    )
    total_headers(response, page.total, capped=False)
    if page.next_cursor:
        response.headers["Link"] = next_page_link(request, page.next_cursor, limit)
    return page.items


@router.post(
    "/tickets/{ticket_id:int}/comments/",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    responses=problem_responses(400, 401, 403, 404, 413, 503),
    openapi_extra=multipart_doc(CommentCreate),
)
async def add_comment(
    ticket_id: int, body: CommentCreate, response: Response, actor: CurrentActor
) -> CommentRead:
    """A reply (`public: true`, the default) or an internal note (`public: false`, agents and
    admins). A requester's reply to a resolved or closed ticket reopens it."""
    comment = await run_in_threadpool(comments.add_comment, actor, ticket_id=ticket_id, data=body)
    response.headers["Location"] = f"/api/tickets/{ticket_id}/comments/{comment.id}/"
    return comment


@router.get(
    "/tickets/{ticket_id:int}/comments/{comment_id:int}/",
    response_model=CommentRead,
    responses=problem_responses(401, 404, 503),
)
async def get_comment(ticket_id: int, comment_id: int, actor: CurrentActor) -> CommentRead:
    return await run_in_threadpool(
        comments.get_comment, actor, ticket_id=ticket_id, comment_id=comment_id
    )
