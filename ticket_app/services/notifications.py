"""Who is told what, in-app and by mail, written in the same transaction as the event.

The ticket services call one function per event (`ticket_created`, `comment_added`,
`tickets_changed`) inside their own transaction, so a notification exists exactly when its
event was committed (the transactional outbox). The rules:

- the requester and the participants (ticket_participants, after a confirmed merge): an
  agent's public reply (never an internal note), the ticket resolved; the requester also the
  receipt of a ticket filed for them by someone else or by mail (`received_by_mail`);
- the assignee: a ticket assigned to them, a requester's reply on a ticket assigned to them;
- staff mentioned in an internal note as `@` + the part of their address before the `@`
  (`@alan` for alan@example.com): unique and free of spaces, where names are neither;
- staff who chose it: every new unassigned ticket (off by default);
- the assignee (the admins when nobody is assigned): a service-level target nearly due or
  overdue (`sla_warning`, from the sweep of services/sla.py; no actor);
- never the person who acted, never a deactivated user; no mail to a bounced address.

Each person chooses a channel per kind (mail, in_app, both, none); without a choice the
kind's default applies (`DEFAULTS`). The bell's reads (`unread`, `unread_count`, `mark_read`)
and the account page's (`preferences`, `set_preference`) are here too, and the one-click
unsubscribe of a mail (`unsubscribe`), which needs no sign-in: its signed token says who and
which kind.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ticket_app.domain import STAFF_ROLES, Status
from ticket_app.mail import compose
from ticket_app.models import (
    Channel,
    MailKind,
    Notification,
    NotificationKind,
    NotificationPreference,
    Ticket,
    TicketComment,
    User,
    utc_now,
)
from ticket_app.services import memo, outbox, revisions
from ticket_app.services.access import Actor, readers
from ticket_app.services.errors import InvalidInput, NotFound
from ticket_app.services.schemas import check_limit
from ticket_app.services.transaction import transaction

NOTIFICATIONS = Notification.__table__
PREFERENCES = NotificationPreference.__table__
USERS = User.__table__
TICKETS = Ticket.__table__
COMMENTS = TicketComment.__table__
Kind = NotificationKind

REQUESTER_KINDS = (Kind.TICKET_RECEIVED, Kind.PUBLIC_REPLY, Kind.TICKET_RESOLVED)
STAFF_KINDS = (
    Kind.ASSIGNED,
    Kind.REQUESTER_REPLIED,
    Kind.MENTIONED,
    Kind.NEW_UNASSIGNED,
    Kind.SLA_WARNING,
)
DEFAULTS: dict[Kind, Channel] = {
    **dict.fromkeys(REQUESTER_KINDS, Channel.BOTH),
    **dict.fromkeys(STAFF_KINDS, Channel.BOTH),
    Kind.NEW_UNASSIGNED: Channel.NONE,
}
MAILED = (Channel.MAIL.value, Channel.BOTH.value)
SHOWN = (Channel.IN_APP.value, Channel.BOTH.value)
MENTION = re.compile(r"(?<![\w.%+@-])@([A-Za-z0-9][A-Za-z0-9._%+-]*)")
UNREAD_CAP = 99
DESK = "Service levels"  # who a notice without an actor comes from


@dataclass(frozen=True)
class Notice:
    """One person to tell of one event."""

    user_id: int
    kind: Kind


@dataclass(frozen=True)
class Event:
    """What happened, with what the mail shows: the newest message and the ticket."""

    ticket: Any
    actor: Actor | None  # None: the desk itself (the service-level sweep)
    comment_id: int | None = None
    message: str | None = None


def _people(connection: Connection, user_ids: set[int]) -> dict[int, Any]:
    rows = connection.execute(
        sa.select(
            USERS.c.id, USERS.c.email, USERS.c.role, USERS.c.active, USERS.c.mail_bounced_at
        ).where(USERS.c.id.in_(user_ids))
    )
    return {row.id: row for row in rows}


def _choices(connection: Connection, user_ids: set[int]) -> dict[tuple[int, str], str]:
    rows = connection.execute(
        sa.select(PREFERENCES.c.user_id, PREFERENCES.c.kind, PREFERENCES.c.channel).where(
            PREFERENCES.c.user_id.in_(user_ids)
        )
    )
    return {(row.user_id, row.kind): row.channel for row in rows}


def _quote(connection: Connection, ticket_id: int, before: int | None) -> list[compose.Quoted]:
    """The last few public messages of the ticket before `before`, newest first."""
    query = (
        sa.select(USERS.c.name, COMMENTS.c.body)
        .join(USERS, USERS.c.id == COMMENTS.c.author_id)
        .where(COMMENTS.c.ticket_id == ticket_id, COMMENTS.c.public.is_(True))
        .order_by(COMMENTS.c.id.desc())
        .limit(compose.QUOTED_MESSAGES)
    )
    if before is not None:
        query = query.where(COMMENTS.c.id < before)
    return [compose.Quoted(author=row.name, body=row.body) for row in connection.execute(query)]


def _deliver(
    connection: Connection,
    event: Event,
    notices: Sequence[Notice],
    *,
    tell_actor: bool = False,
    new_ticket: bool = False,
    known: dict[int, Any] | None = None,
) -> None:
    """Write each notice as its person chose: a notification row, a mail, both or neither;
    the actor is left out unless `tell_actor` (a receipt for a ticket they mailed in). A
    `new_ticket` has no messages to quote and no mail to thread after; `known` are people
    read already."""
    acting = {event.actor.id} if event.actor is not None and not tell_actor else set()
    wanted = {notice.user_id for notice in notices} - acting
    if not wanted:
        return
    people = dict(known or {})
    if missing := wanted - people.keys():
        people.update(_people(connection, missing))
    choices = _choices(connection, wanted)
    told: set[tuple[int, Kind]] = set()
    quote: list[compose.Quoted] | None = [] if new_ticket else None
    now = utc_now()
    shown = []
    for notice in notices:
        person = people.get(notice.user_id)
        if person is None or not person.active or (person.id, notice.kind) in told:
            continue
        told.add((person.id, notice.kind))
        channel = choices.get((person.id, notice.kind.value), DEFAULTS[notice.kind].value)
        if channel in SHOWN:
            shown.append(
                {
                    "user_id": person.id,
                    "kind": notice.kind.value,
                    "ticket_id": event.ticket.id,
                    "comment_id": event.comment_id,
                    "actor_id": event.actor.id if event.actor else None,
                    "created_at": now,
                }
            )
        if channel in MAILED and person.mail_bounced_at is None:
            if quote is None:
                quote = _quote(connection, event.ticket.id, event.comment_id or 0)
            outbox.enqueue(
                connection,
                kind=MailKind(notice.kind.value),
                recipient=outbox.Recipient(person.id, person.email, person.role in STAFF_ROLES),
                ticket_id=event.ticket.id,
                comment_id=event.comment_id,
                title=event.ticket.title,
                actor=event.actor.name if event.actor else DESK,
                message=event.message,
                quote=quote,
                link_path=f"/tickets/{event.ticket.id}",
                thread=not new_ticket,
            )
    if shown:
        connection.execute(sa.insert(NOTIFICATIONS), shown)


def _readers(connection: Connection, ticket_ids: list[int]) -> dict[int, list[int]]:
    """Each ticket's requester and participants (staff excluded: they read every ticket)."""
    found: dict[int, list[int]] = {}
    for row in connection.execute(readers(ticket_ids)):
        found.setdefault(row.ticket_id, []).append(row.user_id)
    return found


def opted_in_query(kind: Kind) -> sa.Select[Any]:
    """Active staff who chose `kind` (for kinds off by default), on the kind index."""
    return (
        sa.select(PREFERENCES.c.user_id)
        .join(USERS, USERS.c.id == PREFERENCES.c.user_id)
        .where(
            PREFERENCES.c.kind == kind.value,
            PREFERENCES.c.channel != Channel.NONE.value,
            USERS.c.role.in_([role.value for role in STAFF_ROLES]),
            USERS.c.active.is_(True),
        )
    )


_OPTED_IN = {kind: opted_in_query(kind) for kind in Kind}


def _opted_in(connection: Connection, kind: Kind) -> list[int]:
    """`opted_in_query`, read once per batch of mail (`services.memo`)."""
    query = _OPTED_IN[kind]
    return memo.cached(("opted-in", kind), lambda: list(connection.execute(query).scalars()))


def ticket_created(
    connection: Connection,
    *,
    ticket: Any,
    actor: Actor,
    received_by_mail: bool = False,
    watchers: Sequence[int] | None = None,
) -> None:
    """A new ticket: its receipt to the requester when someone else filed it for them or it
    came by mail (on the web they see it filed), its assignee, and staff who want every new
    unassigned ticket (`watchers`, the staff `opted_in_query(NEW_UNASSIGNED)` finds, when
    the caller's own statement read them already)."""
    notices = []
    known: dict[int, Any] = {}
    if ticket.created_by is not None and (received_by_mail or ticket.created_by != actor.id):
        known = _people(connection, {ticket.created_by})
        requester = known.get(ticket.created_by)
        if requester is not None and requester.role not in STAFF_ROLES:
            notices.append(Notice(ticket.created_by, Kind.TICKET_RECEIVED))
    if ticket.assignee_id is not None:
        notices.append(Notice(ticket.assignee_id, Kind.ASSIGNED))
    else:
        if watchers is None:
            watchers = _opted_in(connection, Kind.NEW_UNASSIGNED)
        notices += [Notice(user, Kind.NEW_UNASSIGNED) for user in watchers]
    event = Event(ticket, actor, message=ticket.description)
    _deliver(connection, event, notices, tell_actor=received_by_mail, new_ticket=True, known=known)


def comment_added(
    connection: Connection,
    *,
    ticket: Any,
    comment_id: int,
    body: str,
    public: bool,
    actor: Actor,
) -> None:
    """A reply or a note: a staff reply goes to the requester and participants; a
    requester's or participant's reply to the assignee; a note to the staff it mentions."""
    if public and actor.is_staff:
        people = _readers(connection, [ticket.id]).get(ticket.id, [])
        notices = [Notice(user, Kind.PUBLIC_REPLY) for user in people]
    elif public:
        notices = [Notice(ticket.assignee_id, Kind.REQUESTER_REPLIED)] if ticket.assignee_id else []
    else:
        notices = [Notice(user, Kind.MENTIONED) for user in mentioned(connection, body)]
    _deliver(connection, Event(ticket, actor, comment_id=comment_id, message=body), notices)


def tickets_changed(
    connection: Connection, *, old_rows: Sequence[Any], changes: dict[str, Any], actor: Actor
) -> None:
    """Changes to tickets (one, or a bulk change): the requester and participants learn that
    a ticket was resolved, an agent that a ticket was assigned to them."""
    resolving = changes.get("status") == Status.RESOLVED.value
    assignee = changes.get("assignee_id")
    moved = [
        row
        for row in old_rows
        if (resolving and row.status != Status.RESOLVED.value)
        or (assignee is not None and row.assignee_id != assignee)
    ]
    if not moved:
        return
    people = _readers(connection, [row.id for row in moved]) if resolving else {}
    for row in moved:
        ticket = SimpleNamespace(**{**row._asdict(), **changes})
        notices = []
        if resolving and row.status != Status.RESOLVED.value:
            notices += [Notice(user, Kind.TICKET_RESOLVED) for user in people.get(row.id, [])]
        if assignee is not None and row.assignee_id != assignee:
            notices.append(Notice(assignee, Kind.ASSIGNED))
        message = None if resolving and assignee is None else ticket.description
        _deliver(connection, Event(ticket, actor, message=message), notices)


def sla_warning(
    connection: Connection, *, ticket: Any, recipients: list[int], message: str
) -> None:
    """A service-level warning or breach on `ticket` (the sweep decides who and when)."""
    notices = [Notice(user, Kind.SLA_WARNING) for user in recipients]
    _deliver(connection, Event(ticket, None, message=message), notices)


def mentioned(connection: Connection, body: str) -> list[int]:
    """Active staff a note names as `@` + their address's local part (see the docstring)."""
    names = {match.rstrip(".").lower() for match in MENTION.findall(body)}
    if not names:
        return []
    staff = connection.execute(
        sa.select(USERS.c.id, USERS.c.email).where(
            USERS.c.role.in_([role.value for role in STAFF_ROLES]), USERS.c.active.is_(True)
        )
    )
    return [row.id for row in staff if row.email.rpartition("@")[0].lower() in names]


@dataclass(frozen=True)
class NotificationRead:
    """One entry of the bell: what happened, on which ticket, by whom, and when."""

    id: int
    kind: str
    ticket_id: int | None
    ticket_title: str | None
    actor_name: str | None
    created_at: datetime
    read: bool


def _listed() -> sa.Select[Any]:
    actors = USERS.alias("actors")
    return (
        sa.select(
            NOTIFICATIONS.c.id,
            NOTIFICATIONS.c.kind,
            NOTIFICATIONS.c.ticket_id,
            TICKETS.c.title.label("ticket_title"),
            actors.c.name.label("actor_name"),
            NOTIFICATIONS.c.created_at,
            NOTIFICATIONS.c.read_at.is_not(None).label("read"),
        )
        .outerjoin(TICKETS, TICKETS.c.id == NOTIFICATIONS.c.ticket_id)
        .outerjoin(actors, actors.c.id == NOTIFICATIONS.c.actor_id)
    )


def _unread(connection: Connection, user_id: int, limit: int) -> list[NotificationRead]:
    query = (
        _listed()
        .where(NOTIFICATIONS.c.user_id == user_id, NOTIFICATIONS.c.read_at.is_(None))
        .order_by(NOTIFICATIONS.c.id.desc())
        .limit(limit)
    )
    return [NotificationRead(**row._mapping) for row in connection.execute(query)]


def _unread_count(connection: Connection, user_id: int) -> int:
    inner = (
        sa.select(NOTIFICATIONS.c.id)
        .where(NOTIFICATIONS.c.user_id == user_id, NOTIFICATIONS.c.read_at.is_(None))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return int(connection.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())


def unread(actor: Actor, *, limit: int = 20) -> list[NotificationRead]:
    """The actor's unread notifications, newest first."""
    check_limit(limit)
    with transaction() as connection:
        return _unread(connection, actor.id, limit)


def unread_count(actor: Actor) -> int:
    """How many unread notifications the actor has, counted up to UNREAD_CAP + 1 (the bell
    shows "99+"), on the unread index."""
    with transaction() as connection:
        return _unread_count(connection, actor.id)


@dataclass(frozen=True)
class Bell:
    """What the header's bell shows: how many are unread (up to UNREAD_CAP + 1) and the
    newest of them."""

    count: int
    newest: tuple[NotificationRead, ...]


def newest_id() -> int:
    """The id of the newest notification of anyone (0: none yet): a bell read since it was
    last made, with no notification read meanwhile, still holds (`ui/live/kept_reads.py`)."""
    with transaction() as connection:
        return int(connection.execute(sa.select(sa.func.max(NOTIFICATIONS.c.id))).scalar() or 0)


def bell(actor: Actor, *, limit: int = 10) -> Bell:
    """The bell of the actor, read together: two probes of the unread index."""
    check_limit(limit)
    with transaction() as connection:
        count = _unread_count(connection, actor.id)
        newest = tuple(_unread(connection, actor.id, limit)) if count else ()
    return Bell(count, newest)


def mark_read(actor: Actor, *, notification_id: int) -> None:
    """Mark one of the actor's notifications read; NotFound for anyone else's."""
    with transaction(write=True) as connection:
        found = connection.execute(
            sa.update(NOTIFICATIONS)
            .where(NOTIFICATIONS.c.id == notification_id, NOTIFICATIONS.c.user_id == actor.id)
            .where(NOTIFICATIONS.c.read_at.is_(None))
            .values(read_at=utc_now())
        )
        if found.rowcount:
            revisions.bump_notices(connection)
            return
        exists = connection.execute(
            sa.select(NOTIFICATIONS.c.id).where(
                NOTIFICATIONS.c.id == notification_id, NOTIFICATIONS.c.user_id == actor.id
            )
        ).first()
        if exists is None:
            raise NotFound.thing("notification", notification_id)


def mark_ticket_read(actor: Actor, *, ticket_id: int) -> int:
    """Opening a ticket marks the actor's unread notifications about it read; how many.
    When there were any, the live pages' revision moves (their bells read afresh)."""
    with transaction(write=True) as connection:
        marked = connection.execute(
            sa.update(NOTIFICATIONS)
            .where(
                NOTIFICATIONS.c.user_id == actor.id,
                NOTIFICATIONS.c.ticket_id == ticket_id,
                NOTIFICATIONS.c.read_at.is_(None),
            )
            .values(read_at=utc_now())
        ).rowcount
        if marked:
            revisions.bump_notices(connection)
    return int(marked)


def kinds_for(actor: Actor) -> tuple[Kind, ...]:
    """The kinds that can reach this person: staff hear of work, requesters of requests."""
    return STAFF_KINDS if actor.is_staff else REQUESTER_KINDS


def preferences(actor: Actor) -> dict[str, str]:
    """The actor's channel for each kind that can reach them (defaults filled in)."""
    with transaction() as connection:
        chosen = _choices(connection, {actor.id})
    return {
        kind.value: chosen.get((actor.id, kind.value), DEFAULTS[kind].value)
        for kind in kinds_for(actor)
    }


def _upsert(connection: Connection, user_id: int, kind: str, channel: str) -> None:
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        insert(PREFERENCES)
        .values(user_id=user_id, kind=kind, channel=channel)
        .on_conflict_do_update(index_elements=["user_id", "kind"], set_={"channel": channel})
    )


def set_preference(actor: Actor, *, kind: str, channel: str) -> None:
    """Choose the channel for one kind; InvalidInput naming a kind or channel that is not."""
    kinds = {member.value for member in kinds_for(actor)}
    if kind not in kinds:
        raise InvalidInput.single("kind", f"must be one of {', '.join(sorted(kinds))}")
    if channel not in {member.value for member in Channel}:
        raise InvalidInput.single("channel", "must be one of mail, in_app, both, none")
    with transaction(write=True) as connection:
        _upsert(connection, actor.id, kind, channel)


def unsubscribe(*, token: str) -> str:
    """The one-click unsubscribe of a mail (RFC 8058): its kind stops coming by mail (in-app
    stays if it was on). Returns the kind; NotFound for a token that is not ours."""
    read = compose.read_unsubscribe_token(token)
    if read is None or read[1] not in {member.value for member in Kind}:
        raise NotFound("This unsubscribe link is not valid.")
    user_id, kind = read
    with transaction(write=True) as connection:
        if not _people(connection, {user_id}):
            raise NotFound("This unsubscribe link is not valid.")
        current = _choices(connection, {user_id}).get((user_id, kind), DEFAULTS[Kind(kind)].value)
        shown = current in SHOWN
        _upsert(connection, user_id, kind, Channel.IN_APP.value if shown else Channel.NONE.value)
    return kind
