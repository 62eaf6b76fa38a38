"""Mail becomes tickets: the one pipeline behind IMAP, the SMTP/LMTP listener and the pipe.

`ingest` takes one raw message and decides, in one transaction with everything it writes:

- Idempotent by Message-ID: every message gets a row in `inbound_mails` (raw kept); a message
  whose Message-ID has a row already changes nothing and says what it became the first time.
- Threading, in this order: a Message-ID the desk signed in In-Reply-To/References (or one
  the map of 0010 knows: the desk's own and those of mail that landed on a ticket), the
  ticket's signed reply address (MAIL_REPLY_ADDRESSES), the `[#123]` subject tag. A message
  lands on the ticket it names only when its sender is the requester or a participant;
  otherwise it becomes a new ticket and the reason is kept ("names #12 by References, but
  ..."), which staff read among the ticket's mails (`ticket_mails`) and as a staff-only line
  of the ticket's history (kind `mail`) written with the ticket or reply.
- A new ticket: the sender becomes its requester (a new requester without a password, named
  from the From display name, signs in by one-use links), the subject its title (200
  characters), the whole text its description; classified and indexed like a ticket made in
  the UI, and the requester gets the receipt. Cc'd addresses become participants.
- A reply: its text without the quoted history, as the sender's public reply (it reopens a
  resolved ticket and tells the assignee, as in the UI).
- Cc rule: a new ticket's Cc (and further To) addresses become participants; on later mail
  only the requester's Cc adds people; nobody is removed by mail (dropping a Cc is often an
  accident of "Reply" against "Reply all"): an agent removes. Staff, the desk's own
  addresses and automatic senders never become participants; at most 10 are added per mail.
- Automatic mail (see `ticket_app.mail.inbound.automatic`) opens nothing and sends nothing;
  an automatic reply from a participant on a ticket it names is recorded on that ticket
  (its row), without reopening it or telling anyone. Delivery reports: a permanent failure
  marks the address undeliverable (`outbox.mark_bounced`) and is recorded on the ticket of the
  returned mail; a delay is recorded only.
- Caps: MAIL_NEW_TICKETS_PER_HOUR per sender, MAIL_TICKET_MESSAGES_PER_10_MINUTES per ticket;
  over a cap the message is quarantined (kept, flagged, nothing sent) for an admin.
- Oversized or unreadable mail is quarantined with its reason. Admins list the quarantine,
  reprocess a message (caps and the size limit do not apply then: an admin decided) or delete
  it; the health check counts it.

A database that cannot be reached raises DatabaseUnavailable (nothing was stored): the IMAP
poller leaves the message unflagged, the listener answers 451 and the pipe exits 75, so the
message comes again. Any other failure on one message quarantines it (logged with its trace),
so it never blocks the messages after it.

Batches (`ingest_many`, the IMAP poller's fetch chunks): one transaction for many messages
costs one commit instead of one each, and the look-ups that repeat from message to message
(which Message-IDs are known, the senders' user rows, their new tickets this hour, the staff
who want every new ticket) are read once for the batch (`services.memo`). A batch commits
whole or not at all; when anything in it fails, its messages are taken again one at a time
by `ingest`, so one bad message is quarantined alone and never holds back the others.
"""

import io
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ticket_app.classifier import Suggestion, classify
from ticket_app.config import get_settings
from ticket_app.domain import (
    ATTACHMENTS_PER_MESSAGE,
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    STAFF_ROLES,
    HistoryKind,
    Role,
)
from ticket_app.mail import compose
from ticket_app.mail.inbound import AUTOMATIC_SENDERS, Mail, Unreadable, one_line, parse
from ticket_app.models import (
    InboundMail,
    InboundOutcome,
    InboundSource,
    MailMessageId,
    Ticket,
    TicketParticipant,
    User,
    utc_now,
)
from ticket_app.models.inbound import REASON_MAX_LENGTH, SENDER_MAX_LENGTH, SUBJECT_KEPT
from ticket_app.services import attachment_files, history, memo, outbox, passwords
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.attachment_files import IncomingFile
from ticket_app.services.comments import CommentCreate, write_comment
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    InvalidInput,
    NotFound,
    TooLarge,
)
from ticket_app.services.schemas import TicketCreate, check_limit
from ticket_app.services.secrets import signing_key
from ticket_app.services.tickets import COLUMNS, insert_ticket
from ticket_app.services.transaction import transaction

logger = logging.getLogger(__name__)

INBOUND = InboundMail.__table__
MESSAGE_IDS = MailMessageId.__table__
TICKETS = Ticket.__table__
USERS = User.__table__
PARTICIPANTS = TicketParticipant.__table__
PARTICIPANTS_PER_MAIL = 10
MERGE_HOPS = 5
QUARANTINE_COUNT_CAP = 1000
PAGE_LIMIT = 50
# Written as the partial indexes' own conditions (not as bound values), so both databases
# match them to those indexes.
IS_CREATED = sa.text("inbound_mails.outcome = 'created'")
IS_QUARANTINED = sa.text("inbound_mails.outcome = 'quarantined'")
REPROCESS_MAX_BYTES = 1 << 40  # an admin's reprocess reads a message whatever its size
CUT_NOTE = "\n\n[Cut here: the whole message is kept with the ticket.]"
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
Kind = Literal["new", "reply", "quiet", "ignore", "hold", "bounce"]


@dataclass(frozen=True)
class Outcome:
    """What a message became: the pipe prints it as JSON."""

    action: str
    ticket_id: int | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    """What to do with a message, decided inside the transaction that does it."""

    kind: Kind
    reason: str
    ticket: Any = None  # the ticket row it lands on (or is recorded on)
    sender: Any = None  # the sender's user row, when they have one


def _storable(text: str) -> str:
    return UNSTORABLE.sub("\ufffd", text)


def _cut(text: str, limit: int) -> str:
    text = _storable(text).strip()
    return text if len(text) <= limit else text[: limit - len(CUT_NOTE)].rstrip() + CUT_NOTE


def _with_attachments(text: str, mail: Mail) -> str:
    if not mail.attachments:
        return text
    listed = "\n".join(f"- {item.name} ({_size(item.size)})" for item in mail.attachments)
    return f"{text}\n\nAttachments (kept in the original message):\n{listed}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _description(mail: Mail) -> str:
    text = _with_attachments(mail.text.strip() or "(no text)", mail)
    return _cut(text, DESCRIPTION_MAX_LENGTH)


def _reply_body(mail: Mail) -> str:
    return _cut(_with_attachments(mail.reply or "(no text)", mail), COMMENT_MAX_LENGTH)


def is_desk_address(address: str) -> bool:
    """Whether mail to `address` is for the desk: MAIL_ADDRESS or one of its plus-addresses."""
    local, _, domain = get_settings().mail_address.lower().rpartition("@")
    their_local, _, their_domain = address.lower().rpartition("@")
    return their_domain == domain and (their_local == local or their_local.startswith(local + "+"))


# --- Reading the database -------------------------------------------------------------------


def _known(connection: Connection, key: str) -> Outcome | None:
    row = connection.execute(
        sa.select(INBOUND.c.id, INBOUND.c.outcome, INBOUND.c.ticket_id).where(
            INBOUND.c.message_id == key
        )
    ).first()
    if row is None:
        return None
    return Outcome(
        InboundOutcome.IGNORED.value,
        row.ticket_id,
        f"duplicate: this Message-ID was received before (inbound mail {row.id}, {row.outcome})",
    )


USER_COLUMNS = (USERS.c.id, USERS.c.email, USERS.c.name, USERS.c.role, USERS.c.active)


def _user(connection: Connection, address: str) -> Any:
    def read() -> Any:
        query = sa.select(*USER_COLUMNS).where(sa.func.lower(USERS.c.email) == address.lower())
        return connection.execute(query).first()

    return memo.cached(("user", address.lower()), read)


def _read_users(connection: Connection, addresses: set[str]) -> None:
    """Keep the user rows of these addresses (None for those without one) for the batch."""
    lowered = {address.lower() for address in addresses}
    found = {
        row.email.lower(): row
        for row in connection.execute(
            sa.select(*USER_COLUMNS).where(sa.func.lower(USERS.c.email).in_(lowered))
        )
    }
    for address in lowered:
        memo.put(("user", address), found.get(address))


def _ticket(connection: Connection, ticket_id: int) -> Any:
    """The ticket row (locked), following merges to the ticket that lives on; None if gone."""
    for _ in range(MERGE_HOPS):
        if not 1 <= ticket_id <= 2**31 - 1:
            return None
        row = connection.execute(
            sa.select(*COLUMNS).where(TICKETS.c.id == ticket_id).with_for_update()
        ).first()
        if row is None or row.merged_into_id is None:
            return row
        ticket_id = row.merged_into_id
    return None


def _participates(connection: Connection, ticket: Any, user: Any) -> bool:
    if user is None:
        return False
    if ticket.created_by == user.id:
        return True
    found = connection.execute(
        sa.select(PARTICIPANTS.c.user_id).where(
            PARTICIPANTS.c.ticket_id == ticket.id, PARTICIPANTS.c.user_id == user.id
        )
    ).first()
    return found is not None


def _named(connection: Connection, mail: Mail) -> tuple[int, str] | None:
    """The ticket the message names and how (see the module docstring), or None."""
    chains = (("In-Reply-To", mail.in_reply_to), ("References", mail.references[::-1]))
    for how, ids in chains:
        for ident in ids:
            if ticket_id := compose.ticket_of_message_id(ident):
                return ticket_id, how
    every = [ident for _, ids in chains for ident in ids]
    if every:
        rows = connection.execute(
            sa.select(MESSAGE_IDS.c.message_id, MESSAGE_IDS.c.ticket_id).where(
                MESSAGE_IDS.c.message_id.in_(every)
            )
        )
        mapped = {row.message_id: row.ticket_id for row in rows}
        for how, ids in chains:
            for ident in ids:
                if ident in mapped:
                    return mapped[ident], how
    for address in (*mail.recipients, *mail.cc):
        if ticket_id := compose.ticket_of_reply_address(address):
            return ticket_id, "its reply address"
    if ticket_id := mail.tagged_ticket():
        return ticket_id, f"the subject tag [#{ticket_id}]"
    return None


def _recent(connection: Connection, query: sa.Select[Any], cap: int) -> bool:
    """Whether `query` (rows in a window) has `cap` rows or more, reading at most `cap`."""
    limited = query.limit(cap).subquery()
    return (
        int(connection.execute(sa.select(sa.func.count()).select_from(limited)).scalar_one()) >= cap
    )


def _created_lately(connection: Connection, sender: str, cap: int) -> int:
    """How many tickets `sender` opened by mail in the last hour, counted up to `cap`."""

    def count() -> int:
        since = utc_now() - timedelta(hours=1)
        query = sa.select(INBOUND.c.id).where(
            INBOUND.c.sender == sender, IS_CREATED, INBOUND.c.received_at >= since
        )
        limited = query.limit(cap).subquery()
        return int(connection.execute(sa.select(sa.func.count()).select_from(limited)).scalar_one())

    return memo.cached(("created", sender), count)


def _read_created_lately(connection: Connection, senders: set[str]) -> None:
    """Keep each sender's new tickets of the last hour for the batch, in one query (the
    per-sender cap keeps every group small)."""
    since = utc_now() - timedelta(hours=1)
    query = (
        sa.select(INBOUND.c.sender, sa.func.count())
        .where(INBOUND.c.sender.in_(senders), IS_CREATED, INBOUND.c.received_at >= since)
        .group_by(INBOUND.c.sender)
    )
    counts = {sender: int(number) for sender, number in connection.execute(query)}
    for sender in senders:
        memo.put(("created", sender), counts.get(sender, 0))


def _over_sender_cap(connection: Connection, sender: str) -> str | None:
    cap = get_settings().mail_new_tickets_per_hour
    if cap and _created_lately(connection, sender, cap) >= cap:
        return (
            f"over the cap of {cap} new tickets an hour from {sender} (MAIL_NEW_TICKETS_PER_HOUR)"
        )
    return None


def _over_ticket_cap(connection: Connection, ticket_id: int) -> str | None:
    cap = get_settings().mail_ticket_messages_per_10_minutes
    since = utc_now() - timedelta(minutes=10)
    query = sa.select(INBOUND.c.id).where(
        INBOUND.c.ticket_id == ticket_id, INBOUND.c.received_at >= since
    )
    if cap and _recent(connection, query, cap):
        return (
            f"over the cap of {cap} mails in 10 minutes on #{ticket_id}"
            " (MAIL_TICKET_MESSAGES_PER_10_MINUTES)"
        )
    return None


def _plan(connection: Connection, mail: Mail, *, caps: bool) -> Plan:
    """What the message becomes (see the module docstring)."""
    if mail.report:
        return Plan("bounce", "delivery report")
    sender = _user(connection, mail.sender)
    named = _named(connection, mail)
    ticket = _ticket(connection, named[0]) if named else None
    on_ticket = ticket is not None and _participates(connection, ticket, sender)
    if mail.automatic:
        if named and on_ticket:
            return Plan(
                "quiet",
                f"automatic mail ({mail.automatic}) from a participant, matched by {named[1]}:"
                " recorded on the ticket, nothing reopened or sent",
                ticket=ticket,
                sender=sender,
            )
        return Plan("ignore", f"automatic mail ({mail.automatic}): no ticket, nothing sent")
    if sender is not None and not sender.active:
        return Plan("hold", f"the sender {mail.sender} has a deactivated account", sender=sender)
    if named and ticket is not None and on_ticket:
        capped = _over_ticket_cap(connection, ticket.id) if caps else None
        if capped:
            return Plan("hold", capped, ticket=ticket, sender=sender)
        moved = f" (#{named[0]} was merged into #{ticket.id})" if ticket.id != named[0] else ""
        return Plan(
            "reply", f"arrived by mail, matched by {named[1]}{moved}", ticket=ticket, sender=sender
        )
    capped = _over_sender_cap(connection, mail.sender) if caps else None
    if capped:
        return Plan("hold", capped, sender=sender)
    reason = "arrived by mail: a new ticket"
    if named and ticket is None:
        reason += f" (it names #{named[0]} by {named[1]}, which does not exist)"
    elif named:
        reason += (
            f" (it names #{named[0]} by {named[1]}, but the sender {mail.sender} is not one of"
            " its participants)"
        )
    return Plan("new", reason, sender=sender)


# --- Writing ---------------------------------------------------------------------------------


def _name(display: str, address: str) -> str:
    name = one_line(_storable(display)).strip("\"' ")[:NAME_MAX_LENGTH].strip()
    return name or address.partition("@")[0][:NAME_MAX_LENGTH]


def _person(connection: Connection, address: str, display: str) -> Any:
    """The user with this address, made a requester without a password when new."""
    found = _user(connection, address)
    if found is not None:
        return found
    insert = (
        sa.insert(USERS)
        .values(
            email=address,
            name=_name(display, address),
            role=Role.REQUESTER.value,
            password_hash=passwords.unusable_hash(),
            active=True,
            created_at=utc_now(),
        )
        .returning(USERS.c.id, USERS.c.email, USERS.c.name, USERS.c.role, USERS.c.active)
    )
    if memo.active():  # in a batch a clash fails the batch, taken again one at a time
        made = connection.execute(insert).one()
        memo.put(("user", address.lower()), made)
        return made
    try:
        with connection.begin_nested():
            return connection.execute(insert).one()
    except IntegrityError:  # the same address, added by another message at the same moment
        return _user(connection, address)


def _add_participants(connection: Connection, ticket: Any, mail: Mail, addresses: list[str]) -> int:
    """Add the addresses as participants (see the Cc rule); how many were added."""
    added = 0
    seen = {mail.sender}
    for address in addresses:
        if added >= PARTICIPANTS_PER_MAIL:
            break
        automatic = address.partition("@")[0] in AUTOMATIC_SENDERS
        if address in seen or automatic or is_desk_address(address):
            continue
        seen.add(address)
        user = _person(connection, address, mail.names.get(address, ""))
        if user is None or user.role in STAFF_ROLES or _participates(connection, ticket, user):
            continue
        connection.execute(
            sa.insert(PARTICIPANTS).values(ticket_id=ticket.id, user_id=user.id, added_at=utc_now())
        )
        added += 1
    return added


def _remember(connection: Connection, key: str, ticket_id: int) -> None:
    """Map the message's own Message-ID to its ticket, so replies to it thread too."""
    if key.endswith(".invalid>"):
        return
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        insert(MESSAGE_IDS)
        .values(message_id=key, ticket_id=ticket_id, created_at=utc_now())
        .on_conflict_do_nothing(index_elements=[MESSAGE_IDS.c.message_id])
    )


def _bounce(connection: Connection, mail: Mail) -> tuple[int | None, str]:
    ticket_id = None
    for ident in mail.returned_ids:
        ticket_id = compose.ticket_of_message_id(ident) or ticket_id
    if ticket_id is not None and _ticket(connection, ticket_id) is None:
        ticket_id = None
    if not mail.bounces:
        return ticket_id, "delivery report without recipients: recorded only"
    lines = []
    for bounce in mail.bounces:
        status = f"{bounce.status} {bounce.diagnostic}".strip()
        if bounce.permanent:
            outbox.mark_bounced(connection, address=bounce.recipient)
            lines.append(
                f"mail to {bounce.recipient} failed for good ({status}): the address is marked"
                " undeliverable"
            )
        else:
            lines.append(f"mail to {bounce.recipient} is delayed ({status}): recorded only")
    return ticket_id, "bounce: " + "; ".join(lines)


def _note(connection: Connection, ticket_id: int, actor: Actor, reason: str) -> None:
    """The staff-only line on the ticket saying how the mail was threaded (one insert, in
    the transaction of the ticket or reply it made); requesters never see it."""
    text = _storable(reason)[:REASON_MAX_LENGTH]
    history.record(
        connection, [history.entry(ticket_id, actor, HistoryKind.MAIL, public=False, new=text)]
    )


@dataclass(frozen=True)
class Done:
    outcome: InboundOutcome
    reason: str
    ticket_id: int | None = None
    comment_id: int | None = None


def _carry_out(
    connection: Connection, plan: Plan, mail: Mail, suggestion: Suggestion | None
) -> Done:
    if plan.kind == "bounce":
        ticket_id, reason = _bounce(connection, mail)
        return Done(InboundOutcome.IGNORED, reason, ticket_id)
    if plan.kind == "ignore":
        return Done(InboundOutcome.IGNORED, plan.reason)
    if plan.kind == "hold":
        ticket_id = plan.ticket.id if plan.ticket is not None else None
        return Done(InboundOutcome.QUARANTINED, plan.reason, ticket_id)
    if plan.kind == "quiet":
        _remember(connection, mail.key, plan.ticket.id)
        return Done(InboundOutcome.IGNORED, plan.reason, plan.ticket.id)
    sender = plan.sender or _person(connection, mail.sender, mail.sender_name)
    actor = Actor.of(sender)
    if plan.kind == "reply":
        comment_id = write_comment(
            connection, actor, ticket=plan.ticket, data=CommentCreate(body=_reply_body(mail))
        )
        reason = plan.reason
        requester = plan.ticket.created_by == sender.id
        if requester and (added := _add_participants(connection, plan.ticket, mail, mail.cc)):
            reason += f"; {added} Cc'd people added as participants"
        _keep_files(connection, mail, sender.id, plan.ticket.id, comment_id)
        _remember(connection, mail.key, plan.ticket.id)
        _note(connection, plan.ticket.id, actor, reason)
        return Done(InboundOutcome.APPENDED, reason, plan.ticket.id, comment_id)
    data = TicketCreate(title=_storable(mail.title), description=_description(mail))
    if suggestion is None:
        suggestion = classify(f"{data.title}\n{data.description}")
    row = insert_ticket(connection, actor, data=data, suggestion=suggestion, received_by_mail=True)
    others = [address for address in mail.recipients if not is_desk_address(address)]
    reason = plan.reason
    if added := _add_participants(connection, row, mail, [*mail.cc, *others]):
        reason += f"; {added} Cc'd people added as participants"
    _keep_files(connection, mail, sender.id, row.id, None)
    _remember(connection, mail.key, row.id)
    _note(connection, row.id, actor, reason)
    return Done(InboundOutcome.CREATED, reason, row.id)


def _keep_files(
    connection: Connection, mail: Mail, uploader_id: int, ticket_id: int, comment_id: int | None
) -> int:
    """The message's files as attachments of its ticket (or of its reply), in this transaction,
    checked like the UI's uploads (type sniffed, virus scan, thumbnails); a file over the
    limits stays listed in the text, and every file stays in the original message. How many
    were kept."""
    kept = 0
    for item in mail.attachments[:ATTACHMENTS_PER_MESSAGE]:
        if not item.data:
            continue
        incoming = IncomingFile(item.name, io.BytesIO(item.data))
        try:
            with attachment_files.storing([incoming]) as batch:
                batch.attach(
                    connection, uploader_id=uploader_id, ticket_id=ticket_id, comment_id=comment_id
                )
        except (InvalidInput, TooLarge):
            continue
        kept += 1
    return kept


def _row_values(
    raw: bytes, source: str, *, key: str, sender: str | None, subject: str | None, done: Done
) -> dict[str, Any]:
    return {
        "message_id": key,
        "source": source,
        "sender": sender[:SENDER_MAX_LENGTH] if sender else None,
        "subject": _storable(subject)[:SUBJECT_KEPT] if subject else None,
        "size": len(raw),
        "raw": raw,
        "outcome": done.outcome.value,
        "reason": _storable(done.reason)[:REASON_MAX_LENGTH],
        "ticket_id": done.ticket_id,
        "comment_id": done.comment_id,
        "processed_at": utc_now(),
    }


def _write(
    connection: Connection,
    values: dict[str, Any],
    *,
    existing: int | None,
    received_at: datetime | None = None,
) -> None:
    """`received_at`: when the message came in, before what it caused (a receipt, a reply's
    notices), so the ticket's mail thread reads in the order things happened."""
    if existing is None:
        received = received_at or utc_now()
        connection.execute(sa.insert(INBOUND).values(**values, received_at=received))
    else:  # the same bytes: only what became of them changes
        changed = {key: value for key, value in values.items() if key not in ("raw", "size")}
        connection.execute(sa.update(INBOUND).where(INBOUND.c.id == existing).values(**changed))


def _outcome(done: Done) -> Outcome:
    return Outcome(done.outcome.value, done.ticket_id, done.reason)


def _suggestion(mail: Mail, *, caps: bool) -> Suggestion | None:
    """The classifier's suggestion when the message will likely open a ticket, asked before
    the writing transaction (a remote classifier must not hold the write lock). A message
    that names no ticket at all needs no look at the database to tell."""
    if mail.automatic or mail.report:
        return None
    names = mail.in_reply_to or mail.references or mail.tagged_ticket()
    if names or any(compose.ticket_of_reply_address(a) for a in (*mail.recipients, *mail.cc)):
        with transaction() as connection:
            if _plan(connection, mail, caps=caps).kind != "new":
                return None
    return classify(f"{mail.title}\n{_description(mail)}")


def _handle(
    connection: Connection,
    raw: bytes,
    source: str,
    mail: Mail,
    suggestion: Suggestion | None,
    *,
    caps: bool,
    existing: int | None = None,
    received_at: datetime | None = None,
) -> Done:
    """Decide, carry out and record one readable message in the caller's transaction.
    `received_at` (now, when not given) is taken before what the message causes, so its
    receipt or reply never sorts before it in the ticket's mail thread."""
    received_at = received_at or utc_now()
    plan = _plan(connection, mail, caps=caps)
    done = _carry_out(connection, plan, mail, suggestion if plan.kind == "new" else None)
    values = _row_values(
        raw, source, key=mail.key, sender=mail.sender, subject=mail.subject, done=done
    )
    _write(connection, values, existing=existing, received_at=received_at)
    if done.outcome is InboundOutcome.CREATED:  # the batch's kept count of the sender's
        memo.bump(("created", mail.sender))
    return done


def _apply(
    raw: bytes, source: str, mail: Mail, *, caps: bool, existing: int | None = None
) -> Outcome:
    received_at = utc_now()
    suggestion = _suggestion(mail, caps=caps)
    with transaction(write=True) as connection:
        if existing is None and (known := _known(connection, mail.key)):
            return known
        if existing is not None:
            _still_quarantined(connection, existing)
        done = _handle(
            connection,
            raw,
            source,
            mail,
            suggestion,
            caps=caps,
            existing=existing,
            received_at=received_at,
        )
    return _outcome(done)


def _quarantine(raw: bytes, source: str, problem: Unreadable, *, existing: int | None) -> Outcome:
    done = Done(InboundOutcome.QUARANTINED, problem.reason)
    values = _row_values(
        raw, source, key=problem.key, sender=problem.sender, subject=problem.subject, done=done
    )
    with transaction(write=True) as connection:
        if existing is None and (known := _known(connection, problem.key)):
            return known
        _write(connection, values, existing=existing)
    return _outcome(done)


def ingest(*, raw: bytes, source: InboundSource) -> Outcome:
    """One received message through the pipeline (see the module docstring); raises
    DatabaseUnavailable or DatabaseBusy when nothing could be stored (try again later)."""
    signing_key()  # made (once) before the transactions that sign mail: not nested in them
    try:
        mail = parse(raw, max_bytes=get_settings().mail_max_bytes)
    except Unreadable as problem:
        return _quarantine(raw, source.value, problem, existing=None)
    try:
        return _apply(raw, source.value, mail, caps=True)
    except (DatabaseUnavailable, DatabaseBusy):
        raise
    except Exception as error:
        # Most often another process stored the same Message-ID meanwhile (the unique key
        # refused this one): the message was received once, which is what it says now.
        with transaction() as connection:
            known = _known(connection, mail.key)
        if known is not None:
            return known
        # Anything else is quarantined, so one message never blocks the ones after it.
        logger.exception("received mail %s could not be processed", mail.key)
        failed = Unreadable(
            f"could not be processed: {type(error).__name__}: {one_line(str(error))[:200]}",
            key=mail.key,
            sender=mail.sender,
            subject=mail.subject,
        )
        return _quarantine(raw, source.value, failed, existing=None)


def _known_keys(connection: Connection, keys: list[str]) -> set[str]:
    query = sa.select(INBOUND.c.message_id).where(INBOUND.c.message_id.in_(keys))
    return set(connection.execute(query).scalars())


def _batch(raws: Sequence[bytes], source: str) -> list[Outcome]:
    """The messages in one transaction, all committed or none (see the module docstring)."""
    max_bytes = get_settings().mail_max_bytes
    items: list[tuple[bytes, Mail | Unreadable, Suggestion | None]] = []
    for raw in raws:
        try:
            mail = parse(raw, max_bytes=max_bytes)
        except Unreadable as problem:
            items.append((raw, problem, None))
        else:
            items.append((raw, mail, _suggestion(mail, caps=True)))
    outcomes = []
    with memo.scope(), transaction(write=True) as connection:
        known = _known_keys(connection, [parsed.key for _, parsed, _ in items])
        senders = {parsed.sender for _, parsed, _ in items if isinstance(parsed, Mail)}
        _read_users(connection, senders)
        _read_created_lately(connection, senders)
        for raw, parsed, suggestion in items:
            if parsed.key in known and (earlier := _known(connection, parsed.key)):
                outcomes.append(earlier)
                continue
            known.add(parsed.key)  # a second copy in this batch is a duplicate of the first
            if isinstance(parsed, Mail):
                done = _handle(connection, raw, source, parsed, suggestion, caps=True)
            else:
                done = Done(InboundOutcome.QUARANTINED, parsed.reason)
                values = _row_values(
                    raw,
                    source,
                    key=parsed.key,
                    sender=parsed.sender,
                    subject=parsed.subject,
                    done=done,
                )
                _write(connection, values, existing=None)
            outcomes.append(_outcome(done))
    return outcomes


def ingest_many(raws: Sequence[bytes], *, source: InboundSource) -> Iterator[Outcome]:
    """Several received messages, each outcome given once it is committed: in one batch
    transaction, or (when the batch fails) one at a time through `ingest`, so one bad
    message never holds back the others. Raises DatabaseUnavailable or DatabaseBusy when the
    database cannot take them (the outcomes given before that are committed)."""
    signing_key()
    if len(raws) > 1:
        try:
            outcomes = _batch(raws, source.value)
        except DatabaseUnavailable:
            raise
        except Exception as error:  # each message alone then says what was wrong
            logger.warning(
                "a batch of %d received mails failed (%s: %s); taking them one at a time",
                len(raws),
                type(error).__name__,
                one_line(str(error))[:200],
            )
        else:
            yield from outcomes
            return
    for raw in raws:
        yield ingest(raw=raw, source=source)


# --- The admins' quarantine and the staff's view of a ticket's mail --------------------------


@dataclass(frozen=True)
class InboundRead:
    """A received message as staff see it listed (never its raw bytes)."""

    id: int
    message_id: str
    source: str
    sender: str | None
    subject: str | None
    size: int
    outcome: str
    reason: str
    ticket_id: int | None
    comment_id: int | None
    received_at: datetime


@dataclass(frozen=True)
class InboundPage:
    items: list[InboundRead]
    next_cursor: str | None


LISTED = (
    INBOUND.c.id,
    INBOUND.c.message_id,
    INBOUND.c.source,
    INBOUND.c.sender,
    INBOUND.c.subject,
    INBOUND.c.size,
    INBOUND.c.outcome,
    INBOUND.c.reason,
    INBOUND.c.ticket_id,
    INBOUND.c.comment_id,
    INBOUND.c.received_at,
)


def quarantine_page(
    actor: Actor, *, cursor: str | None = None, limit: int = PAGE_LIMIT
) -> InboundPage:
    """The quarantined messages, newest first (admins), on the quarantine's partial index."""
    require(actor, Permission.MANAGE_USERS)
    check_limit(limit)
    fingerprint = "quarantine"
    query = sa.select(*LISTED).where(IS_QUARANTINED).order_by(INBOUND.c.id.desc()).limit(limit + 1)
    if cursor:
        query = query.where(INBOUND.c.id < decode_cursor(cursor, fingerprint)[-1])
    with transaction() as connection:
        rows = connection.execute(query).all()
    items = [InboundRead(**row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    return InboundPage(items, encode_cursor((items[-1].id,), fingerprint) if more else None)


def quarantine_count(connection: Connection) -> int:
    """How many messages wait in the quarantine, counted up to QUARANTINE_COUNT_CAP."""
    inner = sa.select(INBOUND.c.id).where(IS_QUARANTINED).limit(QUARANTINE_COUNT_CAP).subquery()
    return int(connection.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())


def _still_quarantined(connection: Connection, mail_id: int) -> Any:
    row = connection.execute(
        sa.select(INBOUND.c.id, INBOUND.c.outcome, INBOUND.c.source)
        .where(INBOUND.c.id == mail_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound.thing("received mail", mail_id)
    if row.outcome != InboundOutcome.QUARANTINED.value:
        raise InvalidInput.single("mail_id", f"mail {mail_id} is {row.outcome}, not quarantined")
    return row


def reprocess(actor: Actor, *, mail_id: int) -> Outcome:
    """Run a quarantined message through the pipeline again (admins), without the size limit
    and the rate caps; it stays quarantined only if it still cannot be read."""
    require(actor, Permission.MANAGE_USERS)
    signing_key()
    with transaction() as connection:
        row = _still_quarantined(connection, mail_id)
        raw = bytes(
            connection.execute(sa.select(INBOUND.c.raw).where(INBOUND.c.id == mail_id)).scalar_one()
        )
    try:
        mail = parse(raw, max_bytes=REPROCESS_MAX_BYTES)
    except Unreadable as problem:
        return _quarantine(raw, row.source, problem, existing=mail_id)
    return _apply(raw, row.source, mail, caps=False, existing=mail_id)


def delete_quarantined(actor: Actor, *, mail_id: int) -> None:
    """Delete a quarantined message for good (admins)."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        _still_quarantined(connection, mail_id)
        connection.execute(sa.delete(INBOUND).where(INBOUND.c.id == mail_id))


def ticket_mails(actor: Actor, *, ticket_id: int) -> list[InboundRead]:
    """The mail received for a ticket, oldest first, with how each was matched (staff)."""
    require(actor, Permission.READ_ALL)
    query = (
        sa.select(*LISTED)
        .where(INBOUND.c.ticket_id == ticket_id)
        .order_by(INBOUND.c.received_at, INBOUND.c.id)
        .limit(PAGE_LIMIT * 4)
    )
    with transaction() as connection:
        if (
            connection.execute(sa.select(TICKETS.c.id).where(TICKETS.c.id == ticket_id)).first()
            is None
        ):
            raise NotFound.ticket(ticket_id)
        return [InboundRead(**row._mapping) for row in connection.execute(query)]


def raw_message(actor: Actor, *, mail_id: int) -> bytes:
    """A received message exactly as it arrived (staff)."""
    require(actor, Permission.READ_ALL)
    with transaction() as connection:
        raw = connection.execute(sa.select(INBOUND.c.raw).where(INBOUND.c.id == mail_id)).scalar()
    if raw is None:
        raise NotFound.thing("received mail", mail_id)
    return bytes(raw)
