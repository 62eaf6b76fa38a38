"""Comments on a ticket: public replies the requester sees, internal notes for staff only.

A comment is plain text (line breaks kept; never rendered as HTML or markdown) with the same
rules as a description. Adding one writes the comment, its history entry and the ticket's
counts and activity time in one transaction. A requester's reply to a resolved or closed
ticket reopens it. Internal notes never reach a requester: not listed, not counted, and their
history entries are not public.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy.engine import Connection

from ticket_app.domain import COMMENT_MAX_LENGTH, DONE_STATUSES, HistoryKind, Status
from ticket_app.models import TicketComment, User, utc_now
from ticket_app.services import attachment_files, drafts, history, notifications, sla
from ticket_app.services.access import Actor, Permission, sees_internal
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.errors import Forbidden, NotFound
from ticket_app.services.schemas import (
    AttachmentRead,
    Timestamp,
    check_limit,
    check_storable,
    validated,
)
from ticket_app.services.tickets import TICKETS, locked, refuse_if_merged, visible
from ticket_app.services.transaction import transaction

COMMENTS = TicketComment.__table__
USERS = User.__table__


def _body(value: str) -> str:
    check_storable(value)
    if not value.strip():
        raise ValueError("must not be blank")
    if len(value) > COMMENT_MAX_LENGTH:
        raise ValueError(f"must be at most {COMMENT_MAX_LENGTH:,} characters (got {len(value):,})")
    return value


Body = Annotated[
    str,
    AfterValidator(_body),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": COMMENT_MAX_LENGTH, "pattern": r"\S"}
    ),
]


class CommentCreate(BaseModel):
    """A reply (`public`, the default) or an internal note (`public: false`, staff only)."""

    model_config = ConfigDict(extra="forbid")

    body: Body = Field(description=f"Plain text, not blank, at most {COMMENT_MAX_LENGTH:,}")
    public: bool = Field(default=True, description="false: an internal note, for staff only")


class CommentRead(BaseModel):
    """A comment as the API returns it."""

    id: int
    ticket_id: int
    author_id: int
    author_name: str
    public: bool
    body: str
    created_at: Timestamp
    origin_ticket_id: int | None = Field(
        description="Set on comments that came with a merged ticket: the ticket they came from"
    )
    attachments: list[AttachmentRead] = Field(default_factory=list)


@dataclass(frozen=True)
class CommentPage:
    items: list[CommentRead]
    total: int
    next_cursor: str | None


def validate_comment(data: dict[str, Any]) -> CommentCreate:
    return validated(CommentCreate, data)


def _columns() -> tuple[Any, ...]:
    return (*COMMENTS.c, USERS.c.name.label("author_name"))


def _read(connection: Any, rows: Sequence[Any]) -> list[CommentRead]:
    files = attachment_files.of_comments(connection, [row.id for row in rows])
    comments = [CommentRead.model_validate(row._mapping) for row in rows]
    for comment in comments:
        comment.attachments = files.get(comment.id, [])
    return comments


def add_comment(
    actor: Actor,
    *,
    ticket_id: int,
    data: CommentCreate,
    files: Sequence[attachment_files.IncomingFile] = (),
) -> CommentRead:
    """Add a reply or note, with `files`, to a ticket the actor may see (and reopen it when a
    requester replies to it after it was resolved or closed)."""
    if not data.public and not actor.can(Permission.NOTES):
        raise Forbidden("Only agents and admins can write internal notes.", field="public")
    if files:
        with transaction() as connection:
            refuse_if_merged(visible(connection, actor, ticket_id=ticket_id))

    def run(batch: attachment_files.Batch) -> CommentRead:
        return _add(actor, ticket_id=ticket_id, data=data, batch=batch)

    added: CommentRead = attachment_files.with_restage(run, files)
    return added


def _add(
    actor: Actor, *, ticket_id: int, data: CommentCreate, batch: attachment_files.Batch
) -> CommentRead:
    with transaction(write=True) as connection:
        ticket = locked(connection, actor, ticket_id=ticket_id)
        refuse_if_merged(ticket)
        comment_id = write_comment(connection, actor, ticket=ticket, data=data)
        batch.attach(connection, uploader_id=actor.id, ticket_id=ticket.id, comment_id=comment_id)
        row = connection.execute(
            sa.select(*_columns())
            .join(USERS, USERS.c.id == COMMENTS.c.author_id)
            .where(COMMENTS.c.id == comment_id)
        ).one()
        return _read(connection, [row])[0]


def write_comment(connection: Connection, actor: Actor, *, ticket: Any, data: CommentCreate) -> int:
    """Write a reply or note on the locked `ticket` row in the caller's transaction, as
    `add_comment` does (checked already): counts, reopening, history, notifications; its id."""
    now = utc_now()
    comment_id: int = connection.execute(
        sa.insert(COMMENTS)
        .values(
            ticket_id=ticket.id,
            author_id=actor.id,
            public=data.public,
            body=data.body,
            created_at=now,
        )
        .returning(COMMENTS.c.id)
    ).scalar_one()
    counter = TICKETS.c.comment_count if data.public else TICKETS.c.note_count
    changes: dict[str, Any] = {counter.name: counter + 1}
    entries = [
        history.entry(
            ticket.id,
            actor,
            HistoryKind.COMMENTED,
            public=data.public,
            comment_id=comment_id,
            new="staff" if actor.is_staff else "requester",  # replayed by services/sla.py
        )
    ]
    if not actor.is_staff and ticket.status in DONE_STATUSES:
        changes["status"] = Status.OPEN.value
        entries.append(
            history.entry(
                ticket.id,
                actor,
                HistoryKind.REOPENED,
                public=True,
                field="status",
                old=ticket.status,
                new=Status.OPEN.value,
            )
        )
    connection.execute(
        sa.update(TICKETS)
        .where(TICKETS.c.id == ticket.id)
        .values(**changes, updated_at=now, version=TICKETS.c.version + 1)
    )
    history.record(connection, entries)
    if data.public:
        drafts.record_sent(
            connection, actor, ticket_id=ticket.id, comment_id=comment_id, body=data.body
        )
        sla.refresh(connection, ticket_id=ticket.id)
    notifications.comment_added(
        connection,
        ticket=ticket,
        comment_id=comment_id,
        body=data.body,
        public=data.public,
        actor=actor,
    )
    return comment_id


def list_comments(
    actor: Actor, *, ticket_id: int, limit: int, cursor: str | None = None
) -> CommentPage:
    """The ticket's comments the actor may read, oldest first, `limit` at a time; the total
    comes from the ticket's own counts (merged-in comments included)."""
    check_limit(limit)
    fingerprint = f"comments:{ticket_id}"
    after = decode_cursor(cursor, fingerprint)[-1] if cursor else None
    internal = sees_internal(actor)
    query = (
        sa.select(*_columns())
        .join(USERS, USERS.c.id == COMMENTS.c.author_id)
        .where(COMMENTS.c.ticket_id == ticket_id)
        .order_by(COMMENTS.c.id)
        .limit(limit + 1)
    )
    if not internal:
        query = query.where(COMMENTS.c.public.is_(True))
    if after is not None:
        query = query.where(COMMENTS.c.id > after)
    with transaction() as connection:
        ticket = visible(connection, actor, ticket_id=ticket_id)
        rows = connection.execute(query).all()
        items = _read(connection, rows[:limit])
    next_cursor = encode_cursor((items[-1].id,), fingerprint) if len(rows) > limit else None
    total = ticket.comment_count + (ticket.note_count if internal else 0)
    return CommentPage(items=items, total=total, next_cursor=next_cursor)


def get_comment(actor: Actor, *, ticket_id: int, comment_id: int) -> CommentRead:
    """One comment of a ticket the actor may see (an internal note only for staff)."""
    query = (
        sa.select(*_columns())
        .join(USERS, USERS.c.id == COMMENTS.c.author_id)
        .where(COMMENTS.c.id == comment_id, COMMENTS.c.ticket_id == ticket_id)
    )
    if not sees_internal(actor):
        query = query.where(COMMENTS.c.public.is_(True))
    with transaction() as connection:
        visible(connection, actor, ticket_id=ticket_id)
        row = connection.execute(query).first()
        if row is None:
            raise NotFound.thing("comment on this ticket", comment_id)
        return _read(connection, [row])[0]
