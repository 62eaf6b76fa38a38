"""The UI's CSV download: the list's export for a browser that has a session, not a token.

`GET /download/tickets.csv?<the list's filters>` answers the same stream as
`/api/tickets/export.csv`, for the signed-in viewer (the session cookie, SameSite=Lax, comes
with the click on the list's link); without a session it sends the browser to sign in.
"""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ticket_app.api.params import Filters
from ticket_app.api.routes.export import csv_download
from ticket_app.services import sessions

router = APIRouter(include_in_schema=False)


@router.get("/download/tickets.csv")
async def download_tickets(request: Request, filters: Filters) -> Response:
    secret = sessions.secret_from_cookies(request.headers.get("cookie"))
    actor = await run_in_threadpool(sessions.resolve, secret)
    if actor is None:
        return RedirectResponse("/login?next=/tickets", status_code=303)
    return csv_download(actor, filters)
