"""Changing many tickets at once: a list of ids or the list's filters, one change, all or nothing.

Up to BULK_CAP tickets per request, resolved first (every id must be one the actor may see; a
filter must not match more than the cap), then changed in one transaction: rows are locked in
id order and written in chunks of set-based statements, with a history entry per ticket and
field, so 10,000 tickets take a few seconds and the counters stay exact (the triggers keep
them). Readers are never blocked meanwhile (PostgreSQL's MVCC; SQLite's WAL); writers of the
same counter rows wait for the commit. A deadlock with another bulk change is retried once.
"""

from dataclasses import dataclass
from typing import Any, Self

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import Connection

from ticket_app.domain import MAX_TICKET_ID, Category, Priority, Status
from ticket_app.models import utc_now
from ticket_app.services import history, listing, notifications, sla
from ticket_app.services.access import Actor, Permission, require, visible_tickets
from ticket_app.services.errors import DatabaseUnavailable, InvalidInput, NotFound
from ticket_app.services.schemas import FILTER_PARAMETERS, parse_filters, validated
from ticket_app.services.tickets import TICKETS, check_assignee
from ticket_app.services.transaction import transaction

BULK_CAP = 10_000
FILTERABLE = frozenset(FILTER_PARAMETERS) - {"sort"}
CHUNK = 1_000
DEADLOCK = "40P01"


class BulkSet(BaseModel):
    """The change: any of status, category, priority, assignee_id (null unassigns)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    category: Category | None = None
    priority: Priority | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_TICKET_ID)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("set at least one of: status, category, priority, assignee_id")
        for field in self.model_fields_set - {"assignee_id"}:
            if getattr(self, field) is None:
                raise ValueError(f"{field} must not be null")
        return self

    def changes(self) -> dict[str, Any]:
        return {
            name: value.value if hasattr(value, "value") else value
            for name, value in self.model_dump(exclude_unset=True).items()
        }


class BulkRequest(BaseModel):
    """Which tickets (`ids`, or the list's `filters`) and what to do (`set`, or `delete`)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(
        default=None, min_length=1, max_length=BULK_CAP, description=f"1..{BULK_CAP:,} ids"
    )
    filters: dict[str, str] | None = Field(
        default=None,
        description="The list's filters and search, as in its query string: "
        + ", ".join(sorted(FILTERABLE)),
    )
    set: BulkSet | None = None
    delete: bool = False

    @field_validator("ids")
    @classmethod
    def _valid_ids(cls, ids: list[int] | None) -> list[int] | None:
        if ids is not None and any(not 1 <= ident <= MAX_TICKET_ID for ident in ids):
            raise ValueError("must be ticket ids (positive whole numbers)")
        return sorted(set(ids)) if ids is not None else None

    @model_validator(mode="after")
    def _one_target_one_action(self) -> Self:
        if (self.ids is None) == (self.filters is None):
            raise ValueError("send either ids or filters")
        if (self.set is None) == (not self.delete):
            raise ValueError("send either set or delete: true")
        return self


@dataclass(frozen=True)
class BulkResult:
    """How many tickets matched, and how many of them actually changed (or were deleted)."""

    matched: int
    changed: int


def validate_bulk(data: dict[str, Any]) -> BulkRequest:
    return validated(BulkRequest, data)


def _targets(connection: Connection, actor: Actor, request: BulkRequest) -> list[int]:
    """The ids the request covers, checked: all visible, none merged away, not over the cap."""
    if request.ids is not None:
        found = set(
            connection.execute(
                sa.select(TICKETS.c.id).where(
                    TICKETS.c.id.in_(request.ids), *visible_tickets(actor)
                )
            ).scalars()
        )
        if missing := [ident for ident in request.ids if ident not in found]:
            shown = ", ".join(f"#{ident}" for ident in missing[:10])
            raise NotFound(f"No ticket you may see has these ids: {shown}.")
        return request.ids
    given = request.filters or {}
    if unknown := sorted(set(given) - FILTERABLE):
        raise InvalidInput.single(f"filters.{unknown[0]}", "is not a filter of the list")
    filters = parse_filters(**given)
    resolved = listing.resolve(actor, filters=filters)
    query = (
        sa.select(TICKETS.c.id)
        .where(*listing.conditions(connection, resolved), TICKETS.c.merged_into_id.is_(None))
        .order_by(TICKETS.c.id)
        .limit(BULK_CAP + 1)
    )
    ids = list(connection.execute(query).scalars())
    if len(ids) > BULK_CAP:
        raise InvalidInput.single(
            "filters", f"match more than {BULK_CAP:,} tickets; narrow them and try again"
        )
    return ids


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _apply_set(
    connection: Connection, actor: Actor, ids: list[int], changes: dict[str, Any]
) -> int:
    changed = 0
    now = utc_now()
    for chunk in _chunks(ids):
        old_rows = connection.execute(
            sa.select(*listing.COLUMNS)
            .where(TICKETS.c.id.in_(chunk))
            .order_by(TICKETS.c.id)
            .with_for_update()
        ).all()
        if merged := [row.id for row in old_rows if row.merged_into_id is not None]:
            raise InvalidInput.single(
                "ids", f"#{merged[0]} was merged into another ticket and cannot be changed"
            )
        entries = {row.id: history.changed(row, changes, actor) for row in old_rows}
        moving = [ident for ident, made in entries.items() if made]
        if not moving:
            continue
        connection.execute(
            sa.update(TICKETS)
            .where(TICKETS.c.id.in_(moving))
            .values(**changes, updated_at=now, version=TICKETS.c.version + 1)
        )
        history.record(connection, [entry for made in entries.values() for entry in made])
        if sla.MOVED_BY & changes.keys():
            for ident in moving:
                sla.refresh(connection, ticket_id=ident)
        changed_rows = [row for row in old_rows if entries[row.id]]
        notifications.tickets_changed(
            connection, old_rows=changed_rows, changes=changes, actor=actor
        )
        changed += len(moving)
    return changed


def _apply_delete(connection: Connection, ids: list[int]) -> int:
    targets = set(ids)
    children = connection.execute(
        sa.select(TICKETS.c.id, TICKETS.c.merged_into_id).where(TICKETS.c.merged_into_id.in_(ids))
    ).all()
    if outside := [child.id for child in children if child.id not in targets]:
        raise InvalidInput.single(
            "ids", f"#{outside[0]} was merged into one of these tickets; delete it too, or first"
        )
    deleted = 0
    for chunk in _chunks(ids):
        connection.execute(
            sa.update(TICKETS)
            .where(TICKETS.c.merged_into_id.in_(chunk))
            .values(merged_into_id=None)
        )
    for chunk in _chunks(ids):
        deleted += connection.execute(sa.delete(TICKETS).where(TICKETS.c.id.in_(chunk))).rowcount
    return deleted


def _run(actor: Actor, request: BulkRequest) -> BulkResult:
    with transaction(write=True) as connection:
        ids = _targets(connection, actor, request)
        if request.delete:
            return BulkResult(matched=len(ids), changed=_apply_delete(connection, ids))
        assert request.set is not None
        changes = request.set.changes()
        if "assignee_id" in changes:
            check_assignee(connection, changes["assignee_id"])
        return BulkResult(matched=len(ids), changed=_apply_set(connection, actor, ids, changes))


def _deadlocked(error: DatabaseUnavailable) -> bool:
    cause = getattr(error.__cause__, "orig", None)
    return getattr(cause, "pgcode", None) == DEADLOCK


def bulk_change(actor: Actor, *, request: BulkRequest) -> BulkResult:
    """Apply one change (or a delete) to every ticket the request names, all or nothing.

    Agents and admins change; only admins delete.
    """
    require(actor, Permission.DELETE if request.delete else Permission.TRIAGE)
    try:
        return _run(actor, request)
    except DatabaseUnavailable as error:
        if not _deadlocked(error):
            raise
        return _run(actor, request)
