"""Canned replies and macros: saved answers an agent inserts into the reply box.

Each belongs to its author; admins may share one with all staff. Private ones are invisible
to everyone else (not found, like another requester's ticket). A body may use only the
placeholders of `assist.placeholders.CANNED`, checked when it is saved, and they are filled
from the ticket and the agent when it is inserted; the text then stays the agent's to edit.
A canned reply with actions (status, priority, assignee) is a macro: inserting it applies
them through the ticket update service, with their history, as if the agent had made them.
Requesters have no canned replies.
"""

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ticket_app.assist import placeholders
from ticket_app.domain import MAX_TICKET_ID, Priority, Status
from ticket_app.models import CannedReply, User, utc_now
from ticket_app.services import tickets
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.comments import Body
from ticket_app.services.errors import Forbidden, InvalidInput, NotFound
from ticket_app.services.schemas import TicketPatch, TicketRead
from ticket_app.services.tickets import check_assignee, visible
from ticket_app.services.transaction import transaction
from ticket_app.services.users import Name

CANNED = CannedReply.__table__
USERS = User.__table__
LIST_MAX = 200
ACTIONS = ("status", "priority", "assignee_id")


def _placeholders_known(body: str) -> str:
    if wrong := placeholders.unknown(body):
        allowed = ", ".join(f"{{{{{name}}}}}" for name in placeholders.CANNED)
        raise ValueError(f"unknown placeholder {wrong[0]}; use one of {allowed}")
    return body


CannedBody = Annotated[Body, AfterValidator(_placeholders_known)]
AssigneeId = Annotated[int, Field(ge=1, le=MAX_TICKET_ID)]


class CannedReplyCreate(BaseModel):
    """A new canned reply; any of `status`, `priority`, `assignee_id` makes it a macro."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    body: CannedBody = Field(
        description="Plain text with {{placeholders}}: " + ", ".join(placeholders.CANNED)
    )
    shared: bool = Field(default=False, description="Offered to all staff (admins only)")
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: AssigneeId | None = None


class CannedReplyPatch(BaseModel):
    """Only the fields sent change; an action sent as null is removed."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    body: CannedBody | None = None
    shared: bool | None = None
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: AssigneeId | None = None


class CannedReplyRead(BaseModel):
    id: int
    owner_id: int
    owner_name: str
    shared: bool
    name: str
    body: str
    status: Status | None
    priority: Priority | None
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime


class CannedInsert(BaseModel):
    """A canned reply filled in for one ticket; `ticket` is the ticket after its actions (null
    when it has none)."""

    body: str
    ticket: TicketRead | None


def _columns() -> tuple[Any, ...]:
    return (
        *(column for column in CANNED.c if not column.name.startswith("action_")),
        CANNED.c.action_status.label("status"),
        CANNED.c.action_priority.label("priority"),
        CANNED.c.action_assignee_id.label("assignee_id"),
        USERS.c.name.label("owner_name"),
    )


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.or_(CANNED.c.owner_id == actor.id, CANNED.c.shared.is_(True))


def _select(actor: Actor) -> sa.Select[Any]:
    return (
        sa.select(*_columns()).join(USERS, USERS.c.id == CANNED.c.owner_id).where(_visible(actor))
    )


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    """Field names of the API to columns of the table."""
    return {
        (f"action_{name}" if name in ACTIONS else name): (
            str(value) if name in ("status", "priority") and value is not None else value
        )
        for name, value in data.items()
    }


def _escaped(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_canned(actor: Actor, *, search: str = "") -> list[CannedReplyRead]:
    """The actor's canned replies, then the shared ones, by name; `search` keeps those whose
    name or text holds it (case-insensitive)."""
    require(actor, Permission.ASSIST)
    query = _select(actor).order_by(CANNED.c.shared, sa.func.lower(CANNED.c.name), CANNED.c.id)
    if search.strip():
        pattern = f"%{_escaped(search.strip())}%"
        query = query.where(
            sa.or_(
                sa.func.lower(CANNED.c.name).like(pattern, escape="\\"),
                sa.func.lower(CANNED.c.body).like(pattern, escape="\\"),
            )
        )
    with transaction() as connection:
        rows = connection.execute(query.limit(LIST_MAX)).all()
    return [CannedReplyRead.model_validate(row._mapping) for row in rows]


def _get(connection: sa.Connection, actor: Actor, canned_id: int, *, lock: bool = False) -> Any:
    query = _select(actor).where(CANNED.c.id == canned_id)
    row = connection.execute(query.with_for_update(of=CANNED) if lock else query).first()
    if row is None:
        raise NotFound.thing("canned reply", canned_id)
    return row


def get_canned(actor: Actor, *, canned_id: int) -> CannedReplyRead:
    require(actor, Permission.ASSIST)
    with transaction() as connection:
        return CannedReplyRead.model_validate(_get(connection, actor, canned_id)._mapping)


def _check_name_free(
    connection: sa.Connection, owner_id: int, name: str, canned_id: int | None = None
) -> None:
    query = sa.select(CANNED.c.id).where(
        CANNED.c.owner_id == owner_id, sa.func.lower(CANNED.c.name) == name.lower()
    )
    if canned_id is not None:
        query = query.where(CANNED.c.id != canned_id)
    if connection.execute(query).first() is not None:
        raise InvalidInput.single("name", f"you already have a canned reply named {name!r}")


def create_canned(actor: Actor, *, data: CannedReplyCreate) -> CannedReplyRead:
    """Save a canned reply for the actor; sharing it needs an admin."""
    require(actor, Permission.ASSIST)
    if data.shared:
        require(actor, Permission.SHARE_REPLIES, field="shared")
    now = utc_now()
    with transaction(write=True) as connection:
        _check_name_free(connection, actor.id, data.name)
        check_assignee(connection, data.assignee_id)
        canned_id = connection.execute(
            sa.insert(CANNED)
            .values(owner_id=actor.id, created_at=now, updated_at=now, **_stored(data.model_dump()))
            .returning(CANNED.c.id)
        ).scalar_one()
        return CannedReplyRead.model_validate(_get(connection, actor, canned_id)._mapping)


def _owned(connection: sa.Connection, actor: Actor, canned_id: int) -> Any:
    row = _get(connection, actor, canned_id, lock=True)
    if row.owner_id != actor.id and not actor.can(Permission.SHARE_REPLIES):
        raise Forbidden("Only its author (or an admin) may change a shared canned reply.")
    return row


def update_canned(actor: Actor, *, canned_id: int, patch: CannedReplyPatch) -> CannedReplyRead:
    """Change the fields sent; sharing or unsharing needs an admin."""
    require(actor, Permission.ASSIST)
    changes = patch.model_dump(exclude_unset=True)
    for field in ("name", "body", "shared"):
        if field in changes and changes[field] is None:
            raise InvalidInput.single(field, "must not be null; leave the field out to keep it")
    if "shared" in changes:
        require(actor, Permission.SHARE_REPLIES, field="shared")
    with transaction(write=True) as connection:
        row = _owned(connection, actor, canned_id)
        if "name" in changes:
            _check_name_free(connection, row.owner_id, changes["name"], canned_id)
        if "assignee_id" in changes:
            check_assignee(connection, changes["assignee_id"])
        if changes:
            connection.execute(
                sa.update(CANNED)
                .where(CANNED.c.id == canned_id)
                .values(**_stored(changes), updated_at=utc_now())
            )
        return CannedReplyRead.model_validate(_get(connection, actor, canned_id)._mapping)


def delete_canned(actor: Actor, *, canned_id: int) -> None:
    require(actor, Permission.ASSIST)
    with transaction(write=True) as connection:
        _owned(connection, actor, canned_id)
        connection.execute(sa.delete(CANNED).where(CANNED.c.id == canned_id))


def insert_canned(actor: Actor, *, canned_id: int, ticket_id: int) -> CannedInsert:
    """The canned reply's text filled in for ticket `ticket_id` (nothing is sent), after its
    actions, if any, were applied to the ticket."""
    require(actor, Permission.ASSIST)
    with transaction() as connection:
        canned = _get(connection, actor, canned_id)
        ticket = visible(connection, actor, ticket_id=ticket_id)
        requester = (
            connection.execute(
                sa.select(USERS.c.name).where(USERS.c.id == ticket.created_by)
            ).scalar()
            if ticket.created_by is not None
            else None
        )
    body = placeholders.fill(
        canned.body,
        placeholders.values(
            ticket_id=ticket.id,
            title=ticket.title,
            requester_name=requester or "",
            agent_name=actor.name,
        ),
    )
    actions = {
        field: getattr(canned, field) for field in ACTIONS if getattr(canned, field) is not None
    }
    if not actions:
        return CannedInsert(body=body, ticket=None)
    changed = tickets.update_ticket(
        actor, ticket_id=ticket_id, patch=TicketPatch.model_validate(actions)
    )
    return CannedInsert(body=body, ticket=changed)
