"""Attachments: `POST /api/tickets/{id}/attachments/`, `GET /api/attachments/{id}/` (and its
`thumbnail/`), and the multipart twins of `POST /api/tickets/` and
`POST /api/tickets/{id}/comments/`.

A file is never rendered as a page of the desk's origin: only raster images whose thumbnail
could be made are served inline; everything else is a download (`Content-Disposition:
attachment` with an RFC 6266 filename). Every answer has `X-Content-Type-Options: nosniff`
and a `sandbox` Content-Security-Policy, so even a file a browser insisted on rendering runs
no script with the desk's origin.
"""

from urllib.parse import quote

from fastapi import Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from ticket_app.api.deps import CurrentActor, etag
from ticket_app.api.multipart import MULTIPART, MultipartRoute, is_multipart, read_upload
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import attachments, comments, tickets
from ticket_app.services.attachments import Download
from ticket_app.services.comments import CommentRead
from ticket_app.services.errors import InvalidInput
from ticket_app.services.schemas import AttachmentRead, TicketRead, validate_create

router = resource_router("attachments")
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
TICKET_FIELDS = frozenset({"title", "description", "category", "priority", "status"})
COMMENT_FIELDS = frozenset({"body", "public"})
BINARY = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII `filename` fallback and the exact name as UTF-8 `filename*`."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(download: Download) -> StreamingResponse:
    """The bytes of `download`, streamed, with the headers that keep them inert."""
    kind = "inline" if download.inline else "attachment"
    headers = {
        "Content-Length": str(download.size),
        "Content-Disposition": content_disposition(kind, download.attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_POLICY,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "private, no-cache",
        "ETag": f'"{download.attachment.sha256}"',
    }
    media_type = download.content_type if download.inline else "application/octet-stream"
    return StreamingResponse(download.chunks, media_type=media_type, headers=headers)


def _refuse_json(request: Request) -> None:
    if not is_multipart(request.scope):
        declared = request.headers.get("content-type", "none")
        raise InvalidInput.single("body", f"must be {MULTIPART} with `file` parts (got {declared})")


@router.post(
    "/tickets/{ticket_id:int}/attachments/",
    status_code=status.HTTP_201_CREATED,
    response_model=list[AttachmentRead],
    responses=problem_responses(400, 401, 404, 413, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                MULTIPART: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "maxItems": 10,
                            }
                        },
                        "required": ["file"],
                    }
                }
            },
        }
    },
)
async def add_attachments(
    ticket_id: int, request: Request, actor: CurrentActor
) -> list[AttachmentRead]:
    """Attach files (`file` parts, at most 10) to the ticket itself: everyone who reads the
    ticket sees them. Over `ATTACHMENT_MAX_BYTES` a file or `ATTACHMENT_MAX_MESSAGE_BYTES`
    together: 413, naming the limit."""
    _refuse_json(request)
    async with read_upload(request, frozenset()) as upload:
        return await run_in_threadpool(
            attachments.add, actor, ticket_id=ticket_id, files=upload.files
        )


@router.get(
    "/attachments/{attachment_id:int}/",
    response_class=StreamingResponse,
    responses={**problem_responses(401, 404, 409, 503), 200: BINARY},
)
async def get_attachment(attachment_id: int, actor: CurrentActor) -> StreamingResponse:
    """The file, streamed: inline only for PNG, JPEG, GIF and WebP images (read from the
    content), a download otherwise. 409 while it waits for its virus scan."""
    download = await run_in_threadpool(attachments.open_file, actor, attachment_id=attachment_id)
    return file_response(download)


@router.get(
    "/attachments/{attachment_id:int}/thumbnail/",
    response_class=StreamingResponse,
    responses={**problem_responses(401, 404, 409, 503), 200: BINARY},
)
async def get_thumbnail(attachment_id: int, actor: CurrentActor) -> StreamingResponse:
    """A PNG (`image/png`) of at most 320×320 pixels of an image attachment."""
    download = await run_in_threadpool(
        attachments.open_file, actor, attachment_id=attachment_id, thumbnail=True
    )
    return file_response(download)


async def create_ticket_with_files(
    request: Request, response: Response, actor: CurrentActor
) -> TicketRead:
    async with read_upload(request, TICKET_FIELDS) as upload:
        data = validate_create(upload.fields)
        ticket = await run_in_threadpool(
            tickets.create_ticket, actor, data=data, files=upload.files
        )
    response.headers["Location"] = f"/api/tickets/{ticket.id}/"
    response.headers["ETag"] = etag(ticket.version)
    return ticket


async def add_comment_with_files(
    ticket_id: int, request: Request, response: Response, actor: CurrentActor
) -> CommentRead:
    async with read_upload(request, COMMENT_FIELDS) as upload:
        data = comments.validate_comment(upload.fields)
        comment = await run_in_threadpool(
            comments.add_comment, actor, ticket_id=ticket_id, data=data, files=upload.files
        )
    response.headers["Location"] = f"/api/tickets/{ticket_id}/comments/{comment.id}/"
    return comment


for path, endpoint, model in (
    ("/tickets/", create_ticket_with_files, TicketRead),
    ("/tickets/{ticket_id:int}/comments/", add_comment_with_files, CommentRead),
):
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=model,
        include_in_schema=False,
        route_class_override=MultipartRoute,
    )
