"""Who may do what: the one home of the desk's access rules (DESIGN.md's table).

Every service function takes the acting user (an `Actor`), and the REST routes and the UI
reach the services only through one dependency (`api/deps.py`) and one base state
(`ui/state/session.py`) that resolve it. So the UI and the API cannot disagree, and a rule
changes here or nowhere.

Requesters see only their own tickets, plus a ticket one of theirs was merged into. A ticket
they may not see is "not found", never "forbidden": its existence is not theirs to learn.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ticket_app.domain import STAFF_ROLES, Role, Status
from ticket_app.models import Ticket
from ticket_app.services.errors import Forbidden

TICKETS = Ticket.__table__


class Permission(StrEnum):
    """What a role may do beyond its own tickets."""

    READ_ALL = "read all tickets"  # read, list, search, export, stats, similar
    CLASSIFY = "ask the classifier"
    TRIAGE = "change category, priority, status or assignee"  # also bulk, board
    MERGE = "merge tickets"
    NOTES = "read and write internal notes"
    IMPORT = "create tickets with a status"
    DELETE = "delete tickets"
    MANAGE_USERS = "manage users"
    SHARE_VIEWS = "share a saved view with everyone"


_AGENT = frozenset(
    {
        Permission.READ_ALL,
        Permission.CLASSIFY,
        Permission.TRIAGE,
        Permission.MERGE,
        Permission.NOTES,
        Permission.IMPORT,
    }
)
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REQUESTER: frozenset(),
    Role.AGENT: _AGENT,
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user a request acts for; `token_id` is set when acting through an API
    token (the history records it)."""

    id: int
    email: str
    name: str
    role: Role
    token_id: int | None = None

    @classmethod
    def of(cls, user: Any, token_id: int | None = None) -> "Actor":
        """The actor a `users` row (or a row joined with it) stands for."""
        return cls(
            id=user.id, email=user.email, name=user.name, role=Role(user.role), token_id=token_id
        )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


def require(actor: Actor, permission: Permission, field: str | None = None) -> None:
    """Forbidden unless the actor's role has `permission` (naming `field`, the input that
    asked for it, when there is one)."""
    if not actor.can(permission):
        raise Forbidden(f"Your role ({actor.role}) may not {permission}.", field=field)


def visible_tickets(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """Conditions that keep a ticket query to what `actor` may see (none for staff)."""
    if actor.can(Permission.READ_ALL):
        return []
    merged = sa.alias(TICKETS, "merged_child")
    own_child_merged_here = (
        sa.select(sa.literal(1))
        .where(merged.c.merged_into_id == TICKETS.c.id, merged.c.created_by == actor.id)
        .exists()
    )
    return [sa.or_(TICKETS.c.created_by == actor.id, own_child_merged_here)]


REQUESTER_CHANGES = {"status": Status.CLOSED}


def check_ticket_change(actor: Actor, ticket: Any, changes: dict[str, Any]) -> None:
    """Forbidden unless `actor` may make `changes` to `ticket` (a row with `created_by`).

    Staff may change anything; a requester may only close a ticket they created.
    """
    if actor.can(Permission.TRIAGE):
        return
    for field, value in changes.items():
        if field not in REQUESTER_CHANGES or REQUESTER_CHANGES[field] != value:
            raise Forbidden(
                f"Requesters may only close their own tickets; {field} is set by the desk.",
                field=field,
            )
    if ticket.created_by != actor.id:
        raise Forbidden("Requesters may only close tickets they created.", field="status")


def sees_internal(actor: Actor) -> bool:
    """Whether internal notes (and the history only staff see) reach this actor."""
    return actor.can(Permission.NOTES)
