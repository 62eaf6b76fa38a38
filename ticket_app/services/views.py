"""Saved views: a user names the list's current filters, search and order, and finds them again
beside the list with a live count.

Each user sees their own views, the ones admins shared with everyone, and, for agents and
admins, the built-in views (`BUILT_IN`). A view's query is stored in the list's own query-string
form, checked and normalised by the list's parser, so a view always opens as the list it was saved
from. Counts come from the same counters as the list's total (capped where the list's is).
"""

from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from ticket_app.models import SavedView, utc_now
from ticket_app.models.views import QUERY_MAX_LENGTH
from ticket_app.services import listing, revisions
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.errors import Forbidden, InvalidInput, NotFound
from ticket_app.services.schemas import FILTER_PARAMETERS, TicketFilters, parse_filters, validated
from ticket_app.services.transaction import transaction
from ticket_app.services.users import Name

VIEWS = SavedView.__table__
OPEN = "open,in_progress"
BUILT_IN: tuple[tuple[str, str], ...] = (  # for agents and admins: name, query
    ("My open tickets", f"assignee=me&status={OPEN}"),
    ("Unassigned", f"assignee=none&status={OPEN}"),
    ("Critical and open", f"priority=critical&status={OPEN}"),
    ("Breached", "sla=breached"),
    ("Due within an hour", "sla=due_soon"),
)


class ViewCreate(BaseModel):
    """A new view: its name and the list's query string (`status=open&sort=priority`)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    query: str = Field(max_length=QUERY_MAX_LENGTH)
    shared: bool = Field(default=False, description="Visible to everyone (admins only)")


class ViewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    shared: bool | None = None


class ViewRead(BaseModel):
    """A view as the list shows it: `id` is null for the built-in ones."""

    id: int | None
    name: str
    query: str
    shared: bool
    built_in: bool
    owner_id: int | None
    count: int = Field(description="Tickets it shows now (as the list's total counts them)")
    count_capped: bool
    created_at: datetime | None


def validate_view(data: dict[str, Any]) -> ViewCreate:
    return validated(ViewCreate, data)


def validate_view_patch(data: dict[str, Any]) -> ViewPatch:
    return validated(ViewPatch, data)


def filters_of(query: str) -> TicketFilters:
    """The filters a view's query string names, or InvalidInput naming what is wrong."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    params = dict(pairs)
    if unknown := sorted(set(params) - set(FILTER_PARAMETERS)):
        raise InvalidInput.single("query", f"{unknown[0]!r} is not a filter of the list")
    return parse_filters(**params)


@lru_cache(maxsize=4096)
def canonical(query: str) -> str:
    """The query in the list's own order and spelling, so equal views look equal (kept: every
    open list asks it of each of its views at every change)."""
    return urlencode(filters_of(query).query_params(), safe=",")


def _count(connection: sa.Connection, actor: Actor, query: str) -> tuple[int, bool]:
    return listing.total(connection, listing.resolve(actor, filters=filters_of(query)))


def count(actor: Actor, *, query: str) -> tuple[int, bool]:
    """How many tickets a view's query shows the actor now, capped as the list's total is."""
    with transaction() as connection:
        return _count(connection, actor, query)


def counts_by_assignee(actor: Actor, *, query: str) -> dict[int, int] | None:
    """A view's count for every assignee at once, when its only personal part is
    `assignee=me` and the counters answer it (None otherwise: count it per person). What
    anyone of the actor's audience would be shown for the same view: each takes their own."""
    filters = filters_of(query)
    if filters.assignee != "me" or filters.requester:
        return None
    resolved = listing.resolve(actor, filters=filters)
    if not resolved.counted_exactly:
        return None
    with transaction() as connection:
        return listing.totals_by_assignee(connection, resolved)


def personal(query: str) -> bool:
    """Whether a view's count depends on who asks, beyond what they may see ("me" in it):
    the others count the same for everyone of one audience, so the UI counts them once."""
    return any(
        key in ("assignee", "requester") and "me" in value.split(",")
        for key, value in parse_qsl(query.lstrip("?"))
    )


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.or_(VIEWS.c.owner_id == actor.id, VIEWS.c.shared.is_(True))


def _read(connection: sa.Connection, actor: Actor, row: Any, counted: bool = True) -> ViewRead:
    """A stored view as the actor sees it, with its live count (0 when not `counted`)."""
    count, capped = _count(connection, actor, row.query) if counted else (0, False)
    return ViewRead(
        id=row.id,
        name=row.name,
        query=row.query,
        shared=row.shared,
        built_in=False,
        owner_id=row.owner_id,
        count=count,
        count_capped=capped,
        created_at=row.created_at,
    )


def _built_in(
    connection: sa.Connection, actor: Actor, name: str, query: str, counted: bool = True
) -> ViewRead:
    count, capped = _count(connection, actor, query) if counted else (0, False)
    return ViewRead(
        id=None,
        name=name,
        query=query,
        shared=True,
        built_in=True,
        owner_id=None,
        count=count,
        count_capped=capped,
        created_at=None,
    )


def list_views(actor: Actor, *, counted: bool = True) -> list[ViewRead]:
    """The actor's views, the shared ones, then (for staff) the built-in ones, with counts
    (without, `counted=False`, for a caller that counts each once for many: the live list)."""
    query = (
        sa.select(VIEWS)
        .where(_visible(actor))
        .order_by(VIEWS.c.shared, sa.func.lower(VIEWS.c.name), VIEWS.c.id)
    )
    with transaction() as connection:
        rows = connection.execute(query).all()
        views = [_read(connection, actor, row, counted) for row in rows]
        if actor.can(Permission.READ_ALL):
            views += [
                _built_in(connection, actor, name, built_in, counted) for name, built_in in BUILT_IN
            ]
    return views


def create_view(actor: Actor, *, data: ViewCreate) -> ViewRead:
    """Save a view for the actor; sharing it with everyone needs an admin."""
    if data.shared:
        require(actor, Permission.SHARE_VIEWS)
    query = canonical(data.query)
    with transaction(write=True) as connection:
        taken = connection.execute(
            sa.select(VIEWS.c.id).where(
                VIEWS.c.owner_id == actor.id, sa.func.lower(VIEWS.c.name) == data.name.lower()
            )
        ).first()
        if taken is not None:
            raise InvalidInput.single("name", f"you already have a view named {data.name!r}")
        row = connection.execute(
            sa.insert(VIEWS)
            .values(
                owner_id=actor.id,
                name=data.name,
                query=query,
                shared=data.shared,
                created_at=utc_now(),
            )
            .returning(*VIEWS.c)
        ).one()
        revisions.bump_views(connection)
        return _read(connection, actor, row)


def _owned(connection: sa.Connection, actor: Actor, view_id: int) -> Any:
    row = connection.execute(
        sa.select(VIEWS).where(VIEWS.c.id == view_id, _visible(actor)).with_for_update()
    ).first()
    if row is None:
        raise NotFound.thing("view", view_id)
    if row.owner_id != actor.id and not actor.can(Permission.SHARE_VIEWS):
        raise Forbidden("Only its owner (or an admin) may change a view.")
    return row


def update_view(actor: Actor, *, view_id: int, patch: ViewPatch) -> None:
    """Rename a view, or share or unshare it (sharing needs an admin)."""
    changes = patch.model_dump(exclude_unset=True)
    if "shared" in changes:
        require(actor, Permission.SHARE_VIEWS)
    with transaction(write=True) as connection:
        _owned(connection, actor, view_id)
        if changes:
            connection.execute(sa.update(VIEWS).where(VIEWS.c.id == view_id).values(**changes))
            revisions.bump_views(connection)


def delete_view(actor: Actor, *, view_id: int) -> None:
    with transaction(write=True) as connection:
        _owned(connection, actor, view_id)
        connection.execute(sa.delete(VIEWS).where(VIEWS.c.id == view_id))
        revisions.bump_views(connection)
