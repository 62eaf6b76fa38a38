"""A ticket's mail as staff read it on the ticket: where it came from, and every message the
desk received for it or sent about it, in order.

Received mail (`inbound_mails`) keeps how each message was threaded ("arrived by mail,
matched by References"); sent mail (`mail_outbox`) keeps its delivery state. Both are read by
ticket on their own indexes (`ix_inbound_mails_ticket`, `ix_mail_outbox_thread`), at most
`THREAD_LIMIT` of each, in one read transaction. Staff only: requesters learn nothing of it,
not even whether the ticket came by mail.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ticket_app.config import get_settings
from ticket_app.models import InboundMail, InboundOutcome, OutboxMail, Ticket
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import NotFound
from ticket_app.services.transaction import transaction

INBOUND = InboundMail.__table__
OUTBOX = OutboxMail.__table__
TICKETS = Ticket.__table__
THREAD_LIMIT = 200  # of each direction: a ticket with more is a storm, not a conversation


@dataclass(frozen=True)
class ThreadMail:
    """One message of the thread. `state` is the outcome of a received one (created,
    appended, ignored, quarantined) or the delivery state of a sent one (queued, sending,
    sent, failed); `note` is how a received one was threaded, or why a sent one failed."""

    id: int
    inbound: bool
    at: datetime
    sender: str
    recipient: str
    subject: str
    state: str
    note: str
    kind: str  # what a sent mail is (public_reply, ticket_received, ...); "" for received


@dataclass(frozen=True)
class TicketMail:
    """`origin`: the received message that opened the ticket, if one did."""

    origin: ThreadMail | None
    thread: list[ThreadMail]


def ticket_mail(actor: Actor, *, ticket_id: int) -> TicketMail:
    """The ticket's origin and mail thread, oldest first (staff); NotFound without the ticket."""
    require(actor, Permission.READ_ALL)
    desk = get_settings().mail_address
    received = (
        sa.select(
            INBOUND.c.id,
            INBOUND.c.received_at,
            INBOUND.c.sender,
            INBOUND.c.subject,
            INBOUND.c.outcome,
            INBOUND.c.reason,
        )
        .where(INBOUND.c.ticket_id == ticket_id)
        .order_by(INBOUND.c.received_at, INBOUND.c.id)
        .limit(THREAD_LIMIT)
    )
    sent = (
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.created_at,
            OUTBOX.c.recipient,
            OUTBOX.c.subject,
            OUTBOX.c.state,
            OUTBOX.c.last_error,
            OUTBOX.c.kind,
        )
        .where(OUTBOX.c.ticket_id == ticket_id)
        .order_by(OUTBOX.c.id)
        .limit(THREAD_LIMIT)
    )
    with transaction() as connection:
        exists = connection.execute(sa.select(TICKETS.c.id).where(TICKETS.c.id == ticket_id))
        if exists.first() is None:
            raise NotFound.ticket(ticket_id)
        inbound = [
            ThreadMail(
                id=row.id,
                inbound=True,
                at=row.received_at,
                sender=row.sender or "(unknown sender)",
                recipient=desk,
                subject=row.subject or "",
                state=row.outcome,
                note=row.reason,
                kind="",
            )
            for row in connection.execute(received)
        ]
        outbound = [
            ThreadMail(
                id=row.id,
                inbound=False,
                at=row.created_at,
                sender=desk,
                recipient=row.recipient,
                subject=row.subject,
                state=row.state,
                note=row.last_error or "",
                kind=row.kind,
            )
            for row in connection.execute(sent)
        ]
    origin = next((mail for mail in inbound if mail.state == InboundOutcome.CREATED), None)
    thread = sorted([*inbound, *outbound], key=lambda mail: (mail.at, not mail.inbound, mail.id))
    return TicketMail(origin=origin, thread=thread)
