"""Tickets: create, read, list, change and delete, each for an acting user and each with its
history written in the same transaction.

The REST routes and the Reflex state only call these functions (and the other services);
neither holds SQL. Who may do what is decided by `access`; how lists are filtered, sorted,
paged and counted lives in `listing`. SQLAlchemy Core on plain connections: no ORM identity
map to fill on the hot paths.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.classifier import Suggestion, classify
from ticket_app.domain import (
    DEFAULT_CATEGORY,
    DEFAULT_PRIORITY,
    MAX_TICKET_ID,
    STAFF_ROLES,
    Status,
)
from ticket_app.models import NO_DUE, Ticket, TicketParticipant, User, utc_now
from ticket_app.services import (
    attachment_files,
    history,
    listing,
    notifications,
    similar_index,
    sla,
)
from ticket_app.services.access import (
    Actor,
    Permission,
    check_ticket_change,
    require,
    sees_internal,
    visible_tickets,
)
from ticket_app.services.errors import Forbidden, InvalidInput, NotFound, VersionMismatch
from ticket_app.services.schemas import (
    PAGE_LIMIT_DEFAULT,
    AttachmentRead,
    Participant,
    TicketCreate,
    TicketFilters,
    TicketPatch,
    TicketRead,
    check_limit,
)
from ticket_app.services.transaction import transaction

TICKETS = Ticket.__table__
USERS = User.__table__
HISTORY = history.HISTORY
PARTICIPANTS = TicketParticipant.__table__
COLUMNS = listing.COLUMNS
_INSERT = sa.insert(TICKETS).returning(*COLUMNS)
TRIAGE_FIELDS = ("category", "priority")
TEXT_FIELDS = frozenset({"title", "description"})  # what the similar-tickets index reads


@dataclass(frozen=True)
class Page:
    """One page of a list: the tickets, how many match in all, and where the next page starts.

    `total_capped` is true when the total could not come from the counters (a search, a
    requester's own tickets) and more than COUNT_CAP matched: `total` stopped there.
    """

    items: list[TicketRead]
    total: int
    next_cursor: str | None
    total_capped: bool = False


def as_read(
    actor: Actor,
    *,
    row: Any,
    participants: list[Participant] | None = None,
    attachments: list[AttachmentRead] | None = None,
) -> TicketRead:
    """A row as `actor` may see it: the count of internal notes only for staff."""
    ticket = TicketRead.model_validate(row._mapping)
    ticket.participants = participants or []
    ticket.attachments = attachments or []
    if sees_internal(actor):
        ticket.sla = sla.read(row)
    else:
        ticket.note_count = None
    return ticket


def participants_of(connection: Connection, ticket_ids: list[int]) -> dict[int, list[Participant]]:
    """Each ticket's participants by name, in one query on the participants' primary key."""
    if not ticket_ids:
        return {}
    query = (
        sa.select(PARTICIPANTS.c.ticket_id, USERS.c.id, USERS.c.name)
        .join(USERS, USERS.c.id == PARTICIPANTS.c.user_id)
        .where(PARTICIPANTS.c.ticket_id.in_(ticket_ids))
        .order_by(USERS.c.name, USERS.c.id)
    )
    found: dict[int, list[Participant]] = {}
    for ticket_id, user_id, name in connection.execute(query):
        found.setdefault(ticket_id, []).append(Participant(id=user_id, name=name))
    return found


def read_one(connection: Connection, actor: Actor, *, row: Any) -> TicketRead:
    """`as_read` of one row with its participants and files."""
    return as_read(
        actor,
        row=row,
        participants=participants_of(connection, [row.id]).get(row.id),
        attachments=attachment_files.of_tickets(connection, [row.id]).get(row.id),
    )


def existing_id(ticket_id: int) -> int:
    """NotFound for ids no row can have, before PostgreSQL's integer column rejects them."""
    if not 1 <= ticket_id <= MAX_TICKET_ID:
        raise NotFound.ticket(ticket_id)
    return ticket_id


def locked(connection: Connection, actor: Actor, *, ticket_id: int) -> Any:
    """The ticket row, locked for the rest of the transaction; NotFound unless visible."""
    query = (
        sa.select(*COLUMNS)
        .where(TICKETS.c.id == existing_id(ticket_id), *visible_tickets(actor))
        .with_for_update()
    )
    row = connection.execute(query).first()
    if row is None:
        raise NotFound.ticket(ticket_id)
    return row


def _suggestion_for(data: TicketCreate) -> Suggestion | None:
    if data.category is not None and data.priority is not None:
        return None
    return classify(f"{data.title}\n{data.description}")


def _check_create(actor: Actor, data: TicketCreate) -> None:
    """Requesters leave triage to the desk; only staff import tickets with a status."""
    if not actor.can(Permission.TRIAGE):
        for field in TRIAGE_FIELDS:
            if getattr(data, field) is not None:
                raise Forbidden(
                    f"Requesters cannot set the {field}; the desk suggests it.", field=field
                )
    if data.status is not None:
        require(actor, Permission.IMPORT, field="status")


def create_ticket(
    actor: Actor,
    *,
    data: TicketCreate,
    suggestion: Suggestion | None = None,
    files: Sequence[attachment_files.IncomingFile] = (),
) -> TicketRead:
    """Store a new ticket by `actor`, with its `created` history entry and `files`.

    Missing category/priority come from `suggestion`, which is asked of the classifier when
    the caller has none; the suggestion itself is stored alongside. A requester's ticket always
    takes both from the classifier (so the text, not the requester, decides the queue).
    """
    _check_create(actor, data)
    if not actor.can(Permission.TRIAGE):
        suggestion = None  # a requester's ticket: the desk classifies the text itself
    if suggestion is None:
        suggestion = _suggestion_for(data)

    def run(batch: attachment_files.Batch) -> TicketRead:
        with transaction(write=True) as connection:
            row = insert_ticket(connection, actor, data=data, suggestion=suggestion)
            added = batch.attach(
                connection, uploader_id=actor.id, ticket_id=row.id, comment_id=None
            )
        return as_read(actor, row=row, attachments=added)

    created: TicketRead = attachment_files.with_restage(run, files)
    return created


def insert_ticket(
    connection: Connection,
    actor: Actor,
    *,
    data: TicketCreate,
    suggestion: Suggestion | None,
    received_by_mail: bool = False,
) -> Any:
    """Write a new ticket by `actor` in the caller's transaction, as `create_ticket` does
    (checked and classified already), with its history, its mark for the similar-tickets
    index (`similar_index.queue`) and notifications; the row."""
    category = data.category or (suggestion.category if suggestion else DEFAULT_CATEGORY)
    priority = data.priority or (suggestion.priority if suggestion else DEFAULT_PRIORITY)
    now = utc_now()
    values = {
        "title": data.title,
        "description": data.description,
        "category": category.value,
        "priority": priority.value,
        "status": (data.status or Status.OPEN).value,
        "created_at": now,
        "updated_at": now,
        "suggested_category": suggestion.category.value if suggestion else None,
        "suggested_priority": suggestion.priority.value if suggestion else None,
        "created_by": actor.id,
    }
    row, asked = _insert_with_entry(connection, actor, values)
    any_terms = asked.any_sla_terms if asked else None
    if sla.refresh(connection, ticket_id=row.id, row=row, any_terms=any_terms):
        row = connection.execute(sa.select(*COLUMNS).where(TICKETS.c.id == row.id)).one()
    notifications.ticket_created(
        connection,
        ticket=row,
        actor=actor,
        received_by_mail=received_by_mail,
        watchers=(asked.unassigned_watchers or []) if asked else None,
    )
    return row


def _insert_with_entry(
    connection: Connection, actor: Actor, values: dict[str, Any]
) -> tuple[Any, Any]:
    """Insert the ticket with its `created` history entry and its mark for the similar-tickets
    index (its terms are written after the commit, see `similar_index`); the new row, and on
    PostgreSQL what the create asks next (`any_sla_terms`, `unassigned_watchers`), else None.

    PostgreSQL takes it all in one statement (the entry and the mark as data-modifying CTEs
    on the inserted row, the two questions as its subqueries): four round trips fewer on
    every create, and no statement for `sla` or `notifications` to build and send. SQLite's
    statements are calls inside the process and do not support that; they stay apart.
    """
    if connection.dialect.name != "postgresql":
        row = connection.execute(_INSERT, values).one()
        history.record(connection, [history.created(row, actor)])
        similar_index.queue(connection, row.id)
        return row, None
    entry = history.created(SimpleNamespace(id=None, **values), actor)
    params = {**values, **{f"entry_{name}": value for name, value in entry.items()}}
    answer = connection.execute(_INSERT_WITH_ENTRY, params).one()
    return answer, answer


def _insert_with_entry_statement() -> sa.Select[Any]:
    """The PostgreSQL statement of `_insert_with_entry`, built once: the ticket's values and
    the entry's fields (`entry_<name>`) are its parameters."""
    written = (
        *("title", "description", "category", "priority", "status", "created_at"),
        *("updated_at", "suggested_category", "suggested_priority", "created_by"),
    )
    values: dict[str, Any] = {
        name: sa.bindparam(name, type_=TICKETS.c[name].type) for name in written
    }
    # Inside a CTE SQLAlchemy leaves Python-side column defaults unset: `sla_due_at` is named.
    values["sla_due_at"] = sa.literal(NO_DUE, TICKETS.c.sla_due_at.type)
    inserted = sa.insert(TICKETS).values(values).returning(*COLUMNS).cte("inserted")
    fields = [c.name for c in HISTORY.c if c.name not in ("id", "ticket_id")]
    entry = sa.select(
        inserted.c.id,
        *(sa.bindparam(f"entry_{name}", type_=HISTORY.c[name].type) for name in fields),
    )
    entry_cte = sa.insert(HISTORY).from_select(["ticket_id", *fields], entry).cte("entry")
    mark_cte = similar_index.queue_statement(sa.select(inserted.c.id)).cte("mark")
    watchers = notifications.opted_in_query(notifications.Kind.NEW_UNASSIGNED).subquery()
    return sa.select(
        inserted,
        sla.ANY_TERMS.label("any_sla_terms"),
        sa.select(sa.func.array_agg(watchers.c.user_id))
        .scalar_subquery()
        .label("unassigned_watchers"),
    ).add_cte(entry_cte, mark_cte)


_INSERT_WITH_ENTRY = _insert_with_entry_statement()


def visible(connection: Connection, actor: Actor, *, ticket_id: int) -> Any:
    """The ticket row if `actor` may see it; NotFound otherwise (someone else's included)."""
    query = sa.select(*COLUMNS).where(
        TICKETS.c.id == existing_id(ticket_id), *visible_tickets(actor)
    )
    row = connection.execute(query).first()
    if row is None:
        raise NotFound.ticket(ticket_id)
    return row


def get_ticket(actor: Actor, *, ticket_id: int) -> TicketRead:
    """One ticket the actor may see; NotFound otherwise."""
    with transaction() as connection:
        return read_one(connection, actor, row=visible(connection, actor, ticket_id=ticket_id))


def list_tickets(
    actor: Actor,
    *,
    filters: TicketFilters,
    limit: int = PAGE_LIMIT_DEFAULT,
    cursor: str | None = None,
) -> Page:
    """The tickets the actor may see that match `filters`, in its order, `limit` at a time;
    `cursor` continues where a previous page ended."""
    check_limit(limit)
    resolved = listing.resolve(actor, filters=filters)
    with transaction() as connection:
        result = listing.page(connection, resolved, limit=limit, cursor=cursor)
        joined = participants_of(connection, [row.id for row in result.rows])
        files = attachment_files.of_tickets(connection, [row.id for row in result.rows])
    return Page(
        items=[
            as_read(actor, row=row, participants=joined.get(row.id), attachments=files.get(row.id))
            for row in result.rows
        ],
        total=result.total,
        next_cursor=result.next_cursor,
        total_capped=result.capped,
    )


def check_assignee(connection: Connection, assignee_id: Any) -> None:
    """InvalidInput unless `assignee_id` is an active agent or admin (or None: nobody)."""
    if assignee_id is None:
        return
    query = sa.select(USERS.c.id).where(
        USERS.c.id == assignee_id,
        USERS.c.active.is_(True),
        USERS.c.role.in_([role.value for role in STAFF_ROLES]),
    )
    if connection.execute(query).first() is None:
        raise InvalidInput.single("assignee_id", "must be an active agent or admin")


def refuse_if_merged(row: Any) -> None:
    if row.merged_into_id is not None:
        raise InvalidInput.single(
            "id",
            f"ticket #{row.id} was merged into #{row.merged_into_id}; "
            f"change #{row.merged_into_id} instead",
        )


def write_changes(
    connection: Connection, actor: Actor, *, old: Any, changes: dict[str, Any]
) -> Any:
    """Apply `changes` to the locked row `old` with their history; returns the new row (or
    `old` when nothing actually changes: no write, no history, the version stays)."""
    actual = {field: value for field, value in changes.items() if getattr(old, field) != value}
    if not actual:
        return old
    statement = (
        sa.update(TICKETS)
        .where(TICKETS.c.id == old.id)
        .values(**actual, updated_at=utc_now(), version=TICKETS.c.version + 1)
        .returning(*COLUMNS)
    )
    row = connection.execute(statement).one()
    history.record(connection, history.changed(old, actual, actor))
    if sla.MOVED_BY & actual.keys():
        sla.refresh(connection, ticket_id=old.id)
        row = connection.execute(sa.select(*COLUMNS).where(TICKETS.c.id == old.id)).one()
    notifications.tickets_changed(connection, old_rows=[old], changes=actual, actor=actor)
    if TEXT_FIELDS & actual.keys():
        similar_index.replace(connection, row)
    return row


def update_ticket(
    actor: Actor, *, ticket_id: int, patch: TicketPatch, expected_version: int | None = None
) -> TicketRead:
    """Write only the fields in `patch` (concurrent edits of other fields are kept).

    With `expected_version` (the client's If-Match) the change is refused, and nothing
    written, when the ticket has moved on since.
    """
    changes = patch.changes()
    with transaction(write=True) as connection:
        old = locked(connection, actor, ticket_id=ticket_id)
        check_ticket_change(actor, ticket=old, changes=changes)
        if expected_version is not None and old.version != expected_version:
            raise VersionMismatch(old.id, old.version)
        refuse_if_merged(old)
        if "assignee_id" in changes:
            check_assignee(connection, changes["assignee_id"])
        row = write_changes(connection, actor, old=old, changes=changes)
        return read_one(connection, actor, row=row)


def delete_ticket(actor: Actor, *, ticket_id: int) -> None:
    """Delete a ticket with its comments, history and files (admins); the stored contents
    no other attachment uses go too."""
    require(actor, Permission.DELETE)
    with transaction(write=True) as connection:
        locked(connection, actor, ticket_id=ticket_id)
        merged_here = connection.execute(
            sa.select(TICKETS.c.id).where(TICKETS.c.merged_into_id == ticket_id)
        ).scalars()
        if children := sorted(merged_here):
            listed = ", ".join(f"#{child}" for child in children)
            raise InvalidInput.single(
                "id", f"{listed} were merged into this ticket; delete those first"
            )
        files = attachment_files.blobs_of_ticket(connection, ticket_id)
        connection.execute(sa.delete(TICKETS).where(TICKETS.c.id == ticket_id))
    attachment_files.collect(files)
