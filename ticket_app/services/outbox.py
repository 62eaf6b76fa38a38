"""The outbox of mails: writing a mail in the caller's transaction, and what admins see of it.

`enqueue` runs inside the transaction of the event that causes the mail (a reply, an
assignment...): committed with it or rolled back with it, never sent for something that did
not happen and never lost after something that did. Mail to a person whose address bounced
for good is not written at all until an admin clears the flag (`clear_bounce`).

Admins list the outbox per state (`outbox_page`), open any mail as it would go out (`render`:
with no SMTP_URL this is how a newcomer sees what the desk would send) and put a failed mail
back in the queue (`retry`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.mail import compose
from ticket_app.models import (
    InboundMail,
    InboundOutcome,
    MailKind,
    MailMessageId,
    MailState,
    OutboxMail,
    User,
    utc_now,
)
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.errors import InvalidInput, NotFound
from ticket_app.services.schemas import check_limit
from ticket_app.services.transaction import transaction

OUTBOX = OutboxMail.__table__
INBOUND = InboundMail.__table__
THREADED = (InboundOutcome.CREATED.value, InboundOutcome.APPENDED.value)
MESSAGE_IDS = MailMessageId.__table__
USERS = User.__table__
PAGE_LIMIT = 50
MIME_HEADERS = ("MIME-Version", "Content-Type", "Content-Transfer-Encoding")


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    staff: bool


def _thread(
    connection: Connection, ticket_id: int, recipient: Recipient, *, earlier: bool
) -> tuple[str, str]:
    """(In-Reply-To, References) for the next mail of a ticket to one person: the mail
    before it, and the thread root followed by the last few mails between them and the desk
    on the ticket (theirs that the desk received too, so their mail client threads our
    reply under the message they wrote); looked up only when there may be `earlier` ones."""
    if not earlier:
        return compose.thread_root(ticket_id), compose.thread_root(ticket_id)
    kept = compose.REFERENCES_KEPT
    sent = connection.execute(
        sa.select(OUTBOX.c.message_id, OUTBOX.c.created_at.label("at"))
        .where(OUTBOX.c.ticket_id == ticket_id, OUTBOX.c.recipient_id == recipient.id)
        .order_by(OUTBOX.c.id.desc())
        .limit(kept)
    ).all()
    received = connection.execute(
        sa.select(INBOUND.c.message_id, INBOUND.c.received_at.label("at"))
        .where(
            INBOUND.c.ticket_id == ticket_id,
            sa.func.lower(INBOUND.c.sender) == recipient.email.lower(),
            INBOUND.c.outcome.in_(THREADED),
            INBOUND.c.message_id.not_like("%.invalid>"),  # made up for mail without one
        )
        .order_by(INBOUND.c.received_at.desc())
        .limit(kept)
    ).all()
    latest = sorted([*sent, *received], key=lambda row: row.at)[-kept:]
    chain = [compose.thread_root(ticket_id), *(row.message_id for row in latest)]
    return chain[-1], " ".join(chain)


def enqueue(
    connection: Connection,
    *,
    kind: MailKind,
    recipient: Recipient,
    ticket_id: int | None,
    comment_id: int | None = None,
    title: str,
    actor: str,
    message: str | None = None,
    quote: list[compose.Quoted] | None = None,
    link_path: str,
    thread: bool = True,
) -> None:
    """Write one mail to `recipient` in the caller's transaction. A requester's link to
    `link_path` becomes a one-use sign-in link when the mail is sent; staff get the plain
    address. Notifications (not sign-in links) carry a one-click unsubscribe. Without
    `thread` (a ticket this transaction made: no mail of it exists yet) the earlier mails
    are not looked up."""
    marker = None if recipient.staff else compose.new_marker()
    link = compose.signin_url(marker) if marker else get_settings().app_url + link_path
    notification = kind is not MailKind.SIGNIN_LINK
    unsubscribe = compose.unsubscribe_url(recipient.id, kind.value) if notification else None
    parts = compose.render(
        kind,
        ticket_id=ticket_id,
        title=title,
        actor=actor,
        message=message,
        quote=quote or [],
        link=link,
        unsubscribe=unsubscribe,
    )
    in_reply_to = references = None
    if ticket_id is not None:
        in_reply_to, references = _thread(connection, ticket_id, recipient, earlier=thread)
    message_id = compose.message_id(ticket_id)
    connection.execute(
        sa.insert(OUTBOX).values(
            state=MailState.QUEUED.value,
            kind=kind.value,
            ticket_id=ticket_id,
            comment_id=comment_id,
            recipient_id=recipient.id,
            recipient=recipient.email,
            message_id=message_id,
            in_reply_to=in_reply_to,
            thread_references=references,
            subject=parts.subject,
            body_text=parts.text,
            body_html=parts.html,
            unsubscribe_url=unsubscribe,
            link_marker=marker,
            link_path=link_path if marker else None,
            attempts=0,
            next_try_at=utc_now(),
            created_at=utc_now(),
        )
    )
    if ticket_id is not None:
        connection.execute(
            sa.insert(MESSAGE_IDS).values(
                message_id=message_id, ticket_id=ticket_id, created_at=utc_now()
            )
        )


@dataclass(frozen=True)
class MailRead:
    """A mail as the admins' outbox page lists it."""

    id: int
    state: str
    kind: str
    ticket_id: int | None
    recipient: str
    subject: str
    attempts: int
    next_try_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class MailPage:
    items: list[MailRead]
    next_cursor: str | None


LISTED = (
    OUTBOX.c.id,
    OUTBOX.c.state,
    OUTBOX.c.kind,
    OUTBOX.c.ticket_id,
    OUTBOX.c.recipient,
    OUTBOX.c.subject,
    OUTBOX.c.attempts,
    OUTBOX.c.next_try_at,
    OUTBOX.c.last_error,
    OUTBOX.c.created_at,
    OUTBOX.c.sent_at,
)


def _state(state: str | None) -> str | None:
    if state is None:
        return None
    if state not in {member.value for member in MailState}:
        listed = ", ".join(member.value for member in MailState)
        raise InvalidInput.single("state", f"must be one of {listed}")
    return state


def outbox_page(
    actor: Actor, *, state: str | None = None, cursor: str | None = None, limit: int = PAGE_LIMIT
) -> MailPage:
    """The outbox, newest first, optionally one state only (admins); `limit` at a time."""
    require(actor, Permission.MANAGE_USERS)
    check_limit(limit)
    fingerprint = f"outbox:{_state(state) or ''}"
    query = sa.select(*LISTED).order_by(OUTBOX.c.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(OUTBOX.c.state == state)
    if cursor:
        query = query.where(OUTBOX.c.id < decode_cursor(cursor, fingerprint)[-1])
    with transaction() as connection:
        rows = connection.execute(query).all()
    items = [MailRead(**row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    return MailPage(items, encode_cursor((items[-1].id,), fingerprint) if more else None)


def _mail(connection: Connection, mail_id: int) -> Any:
    row = connection.execute(sa.select(OUTBOX).where(OUTBOX.c.id == mail_id)).first()
    if row is None:
        raise NotFound.thing("mail", mail_id)
    return row


@dataclass(frozen=True)
class MailPreview:
    """A mail as it would go out: its headers, and its plain text and HTML parts as text."""

    headers: list[tuple[str, str]]
    text: str
    html: str


def render(actor: Actor, *, mail_id: int) -> MailPreview:
    """The mail as it would go out, headers and both parts (admins). A requester's sign-in
    link shows as a stand-in: it is made only when the mail is sent."""
    require(actor, Permission.MANAGE_USERS)
    with transaction() as connection:
        row = _mail(connection, mail_id)
    mail = compose.message(row, link_token=None)
    text, page = (mail.get_body((subtype,)) for subtype in ("plain", "html"))
    assert text is not None  # compose.message writes both parts
    assert page is not None
    return MailPreview(
        headers=[(name, str(value)) for name, value in mail.items() if name not in MIME_HEADERS],
        text=text.get_content(),
        html=page.get_content(),
    )


def retry(actor: Actor, *, mail_id: int) -> None:
    """Put a failed mail back in the queue with fresh attempts (admins)."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        row = _mail(connection, mail_id)
        if row.state != MailState.FAILED.value:
            raise InvalidInput.single("mail_id", f"mail {mail_id} is {row.state}, not failed")
        connection.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == mail_id)
            .values(state=MailState.QUEUED.value, attempts=0, next_try_at=utc_now())
        )


def mark_bounced(connection: Connection, *, address: str) -> bool:
    """Flag the user with this address as bounced (the incoming-mail side calls it on a
    permanent bounce); no mail is written to them until `clear_bounce`."""
    result = connection.execute(
        sa.update(USERS)
        .where(sa.func.lower(USERS.c.email) == address.strip().lower())
        .where(USERS.c.mail_bounced_at.is_(None))
        .values(mail_bounced_at=utc_now())
    )
    return result.rowcount > 0


@dataclass(frozen=True)
class Bounced:
    """A person no mail goes to, since when."""

    id: int
    name: str
    email: str
    bounced_at: datetime


def bounced(actor: Actor, *, limit: int = PAGE_LIMIT) -> list[Bounced]:
    """The people whose mail bounced for good, most recent first (admins), on the partial
    index of bounced users (a few among many)."""
    require(actor, Permission.MANAGE_USERS)
    check_limit(limit)
    query = (
        sa.select(USERS.c.id, USERS.c.name, USERS.c.email, USERS.c.mail_bounced_at)
        .where(USERS.c.mail_bounced_at.is_not(None))
        .order_by(USERS.c.id.desc())
        .limit(limit)
    )
    with transaction() as connection:
        return [
            Bounced(row.id, row.name, row.email, row.mail_bounced_at)
            for row in connection.execute(query)
        ]


def clear_bounce(actor: Actor, *, user_id: int) -> None:
    """Let mail go to this user again (admins), after their address was fixed."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        found = connection.execute(
            sa.update(USERS).where(USERS.c.id == user_id).values(mail_bounced_at=None)
        )
        if found.rowcount == 0:
            raise NotFound.thing("user", user_id)


def oldest_queued(connection: Connection) -> datetime | None:
    """When the oldest mail still waiting in the queue was written (one index probe)."""
    return connection.execute(
        sa.select(OUTBOX.c.created_at)
        .where(OUTBOX.c.state == MailState.QUEUED.value)
        .order_by(OUTBOX.c.id)
        .limit(1)
    ).scalar()
