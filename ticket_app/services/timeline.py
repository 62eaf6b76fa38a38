"""A ticket's timeline: its history and comments together, paged, as the reader may see it.

One indexed walk of `ticket_history` (by ticket, then id), joined to the comment, author and
API token each entry names, so a ticket with ten thousand entries opens as fast as one with
ten. The files of the page's comments come along (one query by comment id, so a note's files
only with the note). Requesters get the public entries only (see `history.py`), and never the
names of API tokens: a token's name is its owner's label ("nightly import", "Jane's laptop")
and says how the desk works inside; they learn only that an entry came through the API.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ticket_app.models import ApiToken, TicketComment, TicketHistory, User
from ticket_app.services import attachment_files
from ticket_app.services.access import Actor, sees_internal
from ticket_app.services.cursor import decode_cursor, encode_cursor
from ticket_app.services.schemas import AttachmentRead, check_limit
from ticket_app.services.tickets import visible
from ticket_app.services.transaction import transaction

HISTORY = TicketHistory.__table__
COMMENTS = TicketComment.__table__
USERS = User.__table__
TOKENS = ApiToken.__table__


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened, as the timeline shows it."""

    id: int
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    at: datetime
    actor_id: int | None
    actor_name: str | None
    via_api: bool
    token_name: str | None  # staff only
    comment_id: int | None
    comment_body: str | None
    comment_public: bool | None
    comment_origin: int | None


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    next_cursor: str | None
    total: int
    files: dict[int, list[AttachmentRead]] = field(default_factory=dict)  # by comment id


def _fingerprint(ticket_id: int, newest_first: bool) -> str:
    return f"timeline:{ticket_id}:{'desc' if newest_first else 'asc'}"


def timeline(
    actor: Actor,
    *,
    ticket_id: int,
    limit: int,
    cursor: str | None = None,
    newest_first: bool = False,
) -> Timeline:
    """A page of the ticket's history with its comments, oldest first (or newest first, as
    the ticket page opens it); NotFound unless the ticket is visible to `actor`."""
    check_limit(limit)
    internal = sees_internal(actor)
    fingerprint = _fingerprint(ticket_id, newest_first)
    after = decode_cursor(cursor, fingerprint)[-1] if cursor else None
    query = (
        sa.select(
            HISTORY.c.id,
            HISTORY.c.kind,
            HISTORY.c.field,
            HISTORY.c.old_value,
            HISTORY.c.new_value,
            HISTORY.c.at,
            HISTORY.c.actor_id,
            USERS.c.name.label("actor_name"),
            HISTORY.c.token_id.is_not(None).label("via_api"),
            (TOKENS.c.name if internal else sa.null()).label("token_name"),
            HISTORY.c.comment_id,
            COMMENTS.c.body.label("comment_body"),
            COMMENTS.c.public.label("comment_public"),
            COMMENTS.c.origin_ticket_id.label("comment_origin"),
        )
        .select_from(
            HISTORY.outerjoin(USERS, USERS.c.id == HISTORY.c.actor_id)
            .outerjoin(TOKENS, TOKENS.c.id == HISTORY.c.token_id)
            .outerjoin(COMMENTS, COMMENTS.c.id == HISTORY.c.comment_id)
        )
        .where(HISTORY.c.ticket_id == ticket_id)
        .order_by(HISTORY.c.id.desc() if newest_first else HISTORY.c.id.asc())
        .limit(limit + 1)
    )
    counted = sa.select(sa.func.count()).where(HISTORY.c.ticket_id == ticket_id)
    if not internal:
        query = query.where(HISTORY.c.public.is_(True))
        counted = counted.where(HISTORY.c.public.is_(True))
    if after is not None:
        query = query.where(HISTORY.c.id < after if newest_first else HISTORY.c.id > after)
    with transaction() as connection:
        visible(connection, actor, ticket_id=ticket_id)
        rows = connection.execute(query).all()
        total = int(connection.execute(counted).scalar_one())
        entries = [TimelineEntry(**row._mapping) for row in rows[:limit]]
        comment_ids = [entry.comment_id for entry in entries if entry.comment_id is not None]
        files = attachment_files.of_comments(connection, comment_ids)
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor((entries[-1].id,), fingerprint)
    return Timeline(entries=entries, next_cursor=next_cursor, total=total, files=files)
