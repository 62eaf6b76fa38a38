"""Merging a duplicate: ticket B (the source) goes into ticket A (the target), in one
transaction.

- B's replies and notes move to A with their files, marked as coming from B
  (`origin_ticket_id`; a comment that came to B from an earlier merge keeps its first origin).
  A's timeline shows them: a `merged` entry saying what was merged, then one `commented`
  entry per moved comment, as public as the comment. Both tickets' reply and note counts
  move with them.
- B is closed and points at A (`merged_into_id`), with a `merged_into` entry (and the status
  change) in its history; tickets merged into B earlier now point at A too, so a merge chain
  is never longer than one step and a requester of any of them may read A's public part.
- B's terms leave the similar-tickets index: a merged ticket is never offered as similar.
- When the two tickets are read by different people besides staff (their requesters and
  participants), merging would show each side the other's conversation: it is refused,
  naming `share_with_requester` and saying who would read what (`access.merge_sharing`),
  unless the agent confirms it. Confirmed, B's readers become participants of A; without the
  confirmation nothing of either side crosses.

Both rows are locked in id order, so two merges of the same pair cannot deadlock. Merging a
ticket into itself, into a merged ticket (a cycle included) or merging a merged ticket is
refused, naming `into`. Agents and admins only.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.domain import HistoryKind, Status
from ticket_app.models import Attachment, TicketComment, TicketParticipant, utc_now
from ticket_app.services import history, similar_index, sla
from ticket_app.services.access import (
    Actor,
    Permission,
    Reader,
    Sharing,
    merge_sharing,
    readers,
    require,
)
from ticket_app.services.errors import FieldError, InvalidInput, NotFound
from ticket_app.services.schemas import TicketRead
from ticket_app.services.tickets import COLUMNS, TICKETS, existing_id, read_one
from ticket_app.services.transaction import transaction

COMMENTS = TicketComment.__table__
PARTICIPANTS = TicketParticipant.__table__
ATTACHMENTS = Attachment.__table__
SHARE_FIELD = "share_with_requester"


class SharingNotConfirmed(InvalidInput):
    """The merge would show two people each other's conversation; `sharing` says what."""

    def __init__(self, sharing: Sharing) -> None:
        super().__init__(
            [
                FieldError(
                    SHARE_FIELD,
                    f"merging #{sharing.source_id} into #{sharing.target_id} shares two "
                    f"conversations: {sharing.describe()}. Send {SHARE_FIELD}: true to merge "
                    "and share them",
                )
            ]
        )
        self.sharing = sharing


def _refuse(message: str) -> InvalidInput:
    return InvalidInput.single("into", message)


def _lock_pair(connection: Connection, source_id: int, into_id: int) -> tuple[Any, Any]:
    """Both rows, locked in id order; NotFound for the source, 400 for a missing target."""
    if existing_id(source_id) == into_id:
        raise _refuse(f"ticket #{source_id} cannot be merged into itself")
    rows = connection.execute(
        sa.select(*COLUMNS)
        .where(TICKETS.c.id.in_([source_id, into_id]))
        .order_by(TICKETS.c.id)
        .with_for_update()
    )
    found = {row.id: row for row in rows}
    if source_id not in found:
        raise NotFound.ticket(source_id)
    if into_id not in found:
        raise _refuse(f"no ticket has id {into_id}")
    return found[source_id], found[into_id]


def _check(source: Any, target: Any) -> None:
    if source.merged_into_id is not None:
        raise _refuse(
            f"ticket #{source.id} was already merged into #{source.merged_into_id}; "
            "it cannot be merged again"
        )
    if target.merged_into_id == source.id:
        raise _refuse(
            f"ticket #{target.id} was merged into #{source.id}: merging #{source.id} into it "
            "would make a cycle"
        )
    if target.merged_into_id is not None:
        raise _refuse(
            f"ticket #{target.id} was merged into #{target.merged_into_id}; "
            f"merge into #{target.merged_into_id} instead"
        )


def _move_comments(connection: Connection, source: Any, target: Any) -> list[Any]:
    """Move the source's comments to the target; their ids and whether each is public."""
    moved = connection.execute(
        sa.update(COMMENTS)
        .where(COMMENTS.c.ticket_id == source.id)
        .values(
            ticket_id=target.id,
            origin_ticket_id=sa.func.coalesce(COMMENTS.c.origin_ticket_id, source.id),
        )
        .returning(COMMENTS.c.id, COMMENTS.c.public)
    ).all()
    connection.execute(  # files go with their comment; the source's own stay with it
        sa.update(ATTACHMENTS)
        .where(ATTACHMENTS.c.ticket_id == source.id, ATTACHMENTS.c.comment_id.is_not(None))
        .values(ticket_id=target.id)
    )
    return sorted(moved, key=lambda comment: comment.id)


def _target_entries(actor: Actor, source: Any, target: Any, moved: list[Any]) -> list[dict]:
    entries = [history.entry(target.id, actor, HistoryKind.MERGED, public=True, new=source.id)]
    entries += [
        history.entry(
            target.id, actor, HistoryKind.COMMENTED, public=comment.public, comment_id=comment.id
        )
        for comment in moved
    ]
    return entries


def _close_source(connection: Connection, actor: Actor, source: Any, target: Any) -> list[dict]:
    """Close and point the source at the target; its history entries."""
    now = utc_now()
    connection.execute(
        sa.update(TICKETS)
        .where(TICKETS.c.id == source.id)
        .values(
            status=Status.CLOSED.value,
            merged_into_id=target.id,
            comment_count=0,
            note_count=0,
            updated_at=now,
            version=TICKETS.c.version + 1,
        )
    )
    return [
        history.entry(source.id, actor, HistoryKind.MERGED_INTO, public=True, new=target.id),
        *history.changed(source, {"status": Status.CLOSED.value}, actor),
    ]


def _repoint_children(connection: Connection, actor: Actor, source: Any, target: Any) -> list:
    """Tickets merged into the source earlier now point at the target; their entries."""
    children = connection.execute(
        sa.update(TICKETS)
        .where(TICKETS.c.merged_into_id == source.id)
        .values(merged_into_id=target.id, updated_at=utc_now(), version=TICKETS.c.version + 1)
        .returning(TICKETS.c.id)
    ).scalars()
    return [
        history.entry(
            child, actor, HistoryKind.MERGED_INTO, public=True, old=source.id, new=target.id
        )
        for child in sorted(children)
    ]


def _share(connection: Connection, source: Any, target: Any, confirmed: bool) -> None:
    """Refuse a merge that shares conversations unless `confirmed`; then the source's
    readers become participants of the target."""
    people: dict[int, set[Reader]] = {source.id: set(), target.id: set()}
    for row in connection.execute(readers([source.id, target.id])):
        people[row.ticket_id].add(Reader(row.user_id, row.name))
    sharing = merge_sharing(
        source_id=source.id, target_id=target.id, source=people[source.id], target=people[target.id]
    )
    if sharing is None:
        return
    if not confirmed:
        raise SharingNotConfirmed(sharing)
    if sharing.joining:
        connection.execute(
            sa.insert(PARTICIPANTS),
            [
                {"ticket_id": target.id, "user_id": person.id, "merged_from_id": source.id}
                for person in sharing.joining
            ],
        )


def merge(
    actor: Actor, *, source_id: int, into_id: int, share_with_requester: bool = False
) -> TicketRead:
    """Merge ticket `source_id` into ticket `into_id`; returns the target as it is now.
    `share_with_requester` confirms a merge that shows two people each other's
    conversation (see the module's docstring)."""
    require(actor, Permission.MERGE)
    with transaction(write=True) as connection:
        source, target = _lock_pair(connection, source_id, into_id)
        _check(source, target)
        _share(connection, source, target, share_with_requester)
        moved = _move_comments(connection, source, target)
        replies = sum(1 for comment in moved if comment.public)
        entries = _target_entries(actor, source, target, moved)
        entries += _close_source(connection, actor, source, target)
        entries += _repoint_children(connection, actor, source, target)
        row = connection.execute(
            sa.update(TICKETS)
            .where(TICKETS.c.id == target.id)
            .values(
                comment_count=TICKETS.c.comment_count + replies,
                note_count=TICKETS.c.note_count + (len(moved) - replies),
                updated_at=utc_now(),
                version=TICKETS.c.version + 1,
            )
            .returning(*COLUMNS)
        ).one()
        history.record(connection, entries)
        sla.refresh(connection, ticket_id=source.id)  # closed: its timers stop
        similar_index.drop(connection, source.id)
        return read_one(connection, actor, row=row)
