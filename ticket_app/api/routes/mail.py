"""`/api/mail/`: received mail. Admins work the quarantine (list, reprocess, delete); staff
read the mail a ticket received (how each message was matched) and download any message as it
arrived."""

from fastapi import Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ticket_app.api.deps import CurrentActor
from ticket_app.api.problems import problem_responses
from ticket_app.api.routing import resource_router
from ticket_app.services import inbound
from ticket_app.services.access import Actor
from ticket_app.services.inbound import InboundRead, Outcome

router = resource_router("mail")
RAW = "application/octet-stream"  # a file to save as .eml (API clients read it as bytes)


class QuarantinePage(BaseModel):
    items: list[InboundRead]
    next_cursor: str | None


class Reprocessed(BaseModel):
    action: str
    ticket_id: int | None
    reason: str


@router.get(
    "/mail/quarantine/",
    response_model=QuarantinePage,
    responses=problem_responses(400, 401, 403, 503),
)
async def quarantine(
    actor: CurrentActor,
    cursor: str | None = None,
    limit: int = Query(default=inbound.PAGE_LIMIT, ge=1, le=100),
) -> QuarantinePage:
    """Quarantined messages, newest first (admins): oversized, unreadable, over a rate cap."""
    page = await run_in_threadpool(inbound.quarantine_page, actor, cursor=cursor, limit=limit)
    return QuarantinePage(items=page.items, next_cursor=page.next_cursor)


@router.post(
    "/mail/quarantine/{mail_id:int}/reprocess/",
    response_model=Reprocessed,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def reprocess(mail_id: int, actor: CurrentActor) -> Reprocessed:
    """Run a quarantined message through the pipeline again, without the size limit and the
    rate caps (admins); says what it became."""
    outcome: Outcome = await run_in_threadpool(inbound.reprocess, actor, mail_id=mail_id)
    return Reprocessed(**outcome.as_json())


@router.delete(
    "/mail/quarantine/{mail_id:int}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def delete(mail_id: int, actor: CurrentActor) -> Response:
    """Delete a quarantined message for good (admins)."""
    await run_in_threadpool(inbound.delete_quarantined, actor, mail_id=mail_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/mail/inbound/{mail_id:int}/raw/",
    response_class=Response,
    responses={
        200: {"content": {RAW: {}}, "description": "The message as it arrived"},
        **problem_responses(401, 403, 404, 503),
    },
)
async def raw(mail_id: int, actor: CurrentActor) -> Response:
    """A received message exactly as it arrived, as a download (staff)."""
    return await raw_download(actor, mail_id)


async def raw_download(actor: Actor, mail_id: int) -> Response:
    """The .eml download of a received message, for the API and the UI's download alike."""
    data = await run_in_threadpool(inbound.raw_message, actor, mail_id=mail_id)
    return Response(
        data,
        media_type=RAW,
        headers={
            "Content-Disposition": f'attachment; filename="mail-{mail_id}.eml"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/tickets/{ticket_id:int}/mail/",
    response_model=list[InboundRead],
    responses=problem_responses(401, 403, 404, 503),
)
async def ticket_mail(ticket_id: int, actor: CurrentActor) -> list[InboundRead]:
    """The mail a ticket received, oldest first, each with how it was matched or why it
    was only recorded (staff): the ticket's origin and its mail history."""
    return await run_in_threadpool(inbound.ticket_mails, actor, ticket_id=ticket_id)
