"""The UI's downloads: the list's export and attached files, for a browser that has a
session, not a token.

`GET /download/tickets.csv?<the list's filters>` answers the same stream as
`/api/tickets/export.csv`, for the signed-in viewer (the session cookie, SameSite=Lax, comes
with the click on the list's link); without a session it sends the browser to sign in.
`GET /download/attachments/{id}` (and `/thumbnail`) answer what `/api/attachments/{id}/`
does, checked against whoever's session comes with the request: a link copied to someone
else opens only what they may read themselves. `GET /download/mail/{id}` is a received message
as it arrived (the .eml of `/api/mail/inbound/{id}/raw/`), for staff only, from the ticket page
and the admins' quarantine.
"""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ticket_app.api.params import Filters
from ticket_app.api.routes.attachments import file_response
from ticket_app.api.routes.export import csv_download
from ticket_app.api.routes.mail import raw_download
from ticket_app.services import attachments, sessions
from ticket_app.services.access import Actor

router = APIRouter(include_in_schema=False)


@router.get("/download/tickets.csv")
async def download_tickets(request: Request, filters: Filters) -> Response:
    secret = sessions.secret_from_cookies(request.headers.get("cookie"))
    actor = await run_in_threadpool(sessions.resolve, secret)
    if actor is None:
        return RedirectResponse("/login?next=/tickets", status_code=303)
    return csv_download(actor, filters)


async def _viewer(request: Request) -> Actor | None:
    secret = sessions.secret_from_cookies(request.headers.get("cookie"))
    return await run_in_threadpool(sessions.resolve, secret)


@router.get("/download/attachments/{attachment_id:int}")
async def download_attachment(request: Request, attachment_id: int) -> Response:
    return await _attachment(request, attachment_id, thumbnail=False)


@router.get("/download/attachments/{attachment_id:int}/thumbnail")
async def download_thumbnail(request: Request, attachment_id: int) -> Response:
    return await _attachment(request, attachment_id, thumbnail=True)


async def _attachment(request: Request, attachment_id: int, *, thumbnail: bool) -> Response:
    actor = await _viewer(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    download = await run_in_threadpool(
        attachments.open_file, actor, attachment_id=attachment_id, thumbnail=thumbnail
    )
    return file_response(download)


@router.get("/download/mail/{mail_id:int}")
async def download_mail(request: Request, mail_id: int) -> Response:
    actor = await _viewer(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    return await raw_download(actor, mail_id)
