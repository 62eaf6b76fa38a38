"""Who may do what: the one home of the desk's access rules (DESIGN.md's table).

Every service function takes the acting user (an `Actor`), and the REST routes and the UI
reach the services only through one dependency (`api/deps.py`) and one base state
(`ui/state/session.py`) that resolve it. So the UI and the API cannot disagree, and a rule
changes here or nowhere.

Requesters see only their own tickets, plus the tickets they participate in: a participant
is the requester of a ticket merged into another, added only when the agent who merged
confirmed that the two conversations are shared (`merge_sharing` says what crosses; without
the confirmation nothing does), or someone the requester copied (Cc) on their mail to the desk
(`services/inbound.py` says when). A participant reads the ticket's public part and replies to it
like its requester, by its link (the ticket, its comments, its history); lists, exports and
stats stay to one's own tickets (`listed_tickets`): an OR across two tables would take the
requester's list off its (created_by, created_at, id) index at a million tickets. A ticket
they may not see is "not found", never "forbidden": its existence is not theirs to learn.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ticket_app.domain import STAFF_ROLES, Role, Status
from ticket_app.models import Attachment, Ticket, TicketComment, TicketParticipant, User
from ticket_app.services.errors import Forbidden

TICKETS = Ticket.__table__
PARTICIPANTS = TicketParticipant.__table__
USERS = User.__table__
ATTACHMENTS = Attachment.__table__
COMMENTS = TicketComment.__table__


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
    ASSIST = "use canned replies, suggested replies and summaries"
    SHARE_REPLIES = "share a canned reply with everyone"
    MANAGE_SLA = "manage service-level calendars and policies"


_AGENT = frozenset(
    {
        Permission.READ_ALL,
        Permission.CLASSIFY,
        Permission.TRIAGE,
        Permission.MERGE,
        Permission.NOTES,
        Permission.IMPORT,
        Permission.ASSIST,
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
    token (the history records it), `session_id` through a browser session. An
    `enrolment_only` actor is staff who must set up two-factor before anything else: only the
    two-factor enrolment accepts it (`sessions.resolve` never hands one out)."""

    id: int
    email: str
    name: str
    role: Role
    token_id: int | None = None
    session_id: int | None = None
    enrolment_only: bool = False

    @classmethod
    def of(
        cls,
        user: Any,
        token_id: int | None = None,
        session_id: int | None = None,
        enrolment_only: bool = False,
    ) -> "Actor":
        """The actor a `users` row (or a row joined with it) stands for."""
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=Role(user.role),
            token_id=token_id,
            session_id=session_id,
            enrolment_only=enrolment_only,
        )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


def require(actor: Actor, permission: Permission, *, field: str | None = None) -> None:
    """Forbidden unless the actor's role has `permission` (naming `field`, the input that
    asked for it, when there is one)."""
    if not actor.can(permission):
        raise Forbidden(f"Your role ({actor.role}) may not {permission}.", field=field)


def visible_tickets(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """Conditions that keep a query of single tickets to what `actor` may read (none for
    staff): their own, and those they participate in (one primary-key probe each)."""
    if actor.can(Permission.READ_ALL):
        return []
    participates = (
        sa.select(sa.literal(1))
        .where(PARTICIPANTS.c.ticket_id == TICKETS.c.id, PARTICIPANTS.c.user_id == actor.id)
        .exists()
    )
    return [sa.or_(TICKETS.c.created_by == actor.id, participates)]


def listed_tickets(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """Conditions that keep a list, export, count or stats to what `actor` may list (none
    for staff): their own tickets, not those they participate in (see the docstring)."""
    if actor.can(Permission.READ_ALL):
        return []
    return [TICKETS.c.created_by == actor.id]


def readers(ticket_ids: Iterable[int]) -> sa.Select[Any]:
    """(ticket_id, user_id, name) of everyone besides staff who reads these tickets: their
    requesters and participants (staff read every ticket anyway)."""
    wanted = list(ticket_ids)
    people = sa.union(
        sa.select(TICKETS.c.id.label("ticket_id"), TICKETS.c.created_by.label("user_id")).where(
            TICKETS.c.id.in_(wanted), TICKETS.c.created_by.is_not(None)
        ),
        sa.select(PARTICIPANTS.c.ticket_id, PARTICIPANTS.c.user_id).where(
            PARTICIPANTS.c.ticket_id.in_(wanted)
        ),
    ).subquery()
    return (
        sa.select(people.c.ticket_id, people.c.user_id, USERS.c.name)
        .join(USERS, USERS.c.id == people.c.user_id)
        .where(USERS.c.role.not_in([role.value for role in STAFF_ROLES]))
        .order_by(USERS.c.name, people.c.user_id)
    )


@dataclass(frozen=True)
class Reader:
    id: int
    name: str


@dataclass(frozen=True)
class Sharing:
    """What merging ticket `source_id` into `target_id` would show to whom: `joining` (the
    source's readers) would read the target, its description and public replies, past and
    to come, and reply there; `seeing` (the target's readers) would read the public replies
    of the source, which move to the target."""

    source_id: int
    target_id: int
    joining: tuple[Reader, ...]
    seeing: tuple[Reader, ...]

    def describe(self) -> str:
        """One sentence for the agent: who would read what."""
        parts = []
        if self.joining:
            parts.append(
                f"{_names(self.joining)} (of #{self.source_id}) would read #{self.target_id}"
                " (its description and public replies, also those to come) and reply to it"
            )
        if self.seeing:
            parts.append(
                f"{_names(self.seeing)} (of #{self.target_id}) would read the public replies "
                f"of #{self.source_id}"
            )
        return "; ".join(parts) + ". Internal notes stay with the staff"


def _by_name(people: set[Reader]) -> tuple[Reader, ...]:
    return tuple(sorted(people, key=lambda person: (person.name, person.id)))


def _names(people: tuple[Reader, ...]) -> str:
    return ", ".join(person.name for person in people)


def merge_sharing(
    *, source_id: int, target_id: int, source: set[Reader], target: set[Reader]
) -> Sharing | None:
    """What a merge would share between the readers of the two tickets (`readers`), or None
    when they are the same people: then nothing crosses and no confirmation is needed."""
    if source == target:
        return None
    return Sharing(source_id, target_id, _by_name(source - target), _by_name(target - source))


REQUESTER_CHANGES = {"status": Status.CLOSED}


def check_ticket_change(actor: Actor, *, ticket: Any, changes: dict[str, Any]) -> None:
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


def visible_attachments(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """Conditions that keep a query of attachments (joined with their ticket, and outer-joined
    with their comment) to what `actor` may read: a file has the visibility of its message,
    so the ticket's readers see the files of the ticket itself and of its public replies, and
    only staff those of internal notes. On every path: the API, the UI's downloads and
    thumbnails, and the lists on tickets and comments."""
    conditions = visible_tickets(actor)
    if not sees_internal(actor):
        conditions.append(sa.or_(ATTACHMENTS.c.comment_id.is_(None), COMMENTS.c.public.is_(True)))
    return conditions
