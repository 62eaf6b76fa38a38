"""What the browser receives for a ticket: plain strings, and only what the page shows.

A list row carries an excerpt of the description, never the full text, so a page of rows
stays small in the state and on the wire. People are named here (from `users.people`), so the
pages never see ids they would have to look up.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ticket_app.models import utc_now
from ticket_app.services import users
from ticket_app.services.schemas import TicketRead
from ticket_app.services.similar import SimilarTicket
from ticket_app.services.users import Person
from ticket_app.ui.viewmodels.attachments import FileView, to_files

EXCERPT_LENGTH = 160
DUE_SOON = timedelta(hours=1)  # the amber badge; past the due time it is red
NOBODY = "nobody"  # the assignee select's value for "no one" (Radix items cannot be "")
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The description on one line, cut at a word boundary when it is longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(".,;:-") + "…"


def segments(text: str) -> list[dict[str, str]]:
    """Text split into plain runs and links, so links can be clickable while nothing is ever
    rendered as HTML: [{"text": ..., "href": ""}, {"text": url, "href": url}, ...]."""
    parts: list[dict[str, str]] = []
    position = 0
    for match in URL.finditer(text):
        if match.start() > position:
            parts.append({"text": text[position : match.start()], "href": ""})
        parts.append({"text": match.group(), "href": match.group()})
        position = match.end()
    if position < len(text) or not parts:
        parts.append({"text": text[position:], "href": ""})
    return parts


def person_name(person: Person | None, ident: int | None, nobody: str = "") -> str:
    """A user's name, marked when deactivated; `nobody` when there is no user."""
    if ident is None:
        return nobody
    if person is None:
        return f"User #{ident}"
    return person.name if person.active else f"{person.name} (deactivated)"


def people_of(tickets: Iterable[TicketRead]) -> dict[int, Person]:
    """Everyone a set of tickets names (creators and assignees), in one query."""
    ids = {ident for t in tickets for ident in (t.created_by, t.assignee_id) if ident}
    return users.people(ids)


@dataclass(frozen=True)
class TicketRow:
    """One ticket in the list or on the board."""

    id: int
    title: str
    excerpt: str
    category: str
    priority: str
    status: str
    created_at: str
    updated_at: str
    assignee_id: str
    assignee_name: str
    requester_name: str
    comment_count: int
    note_count: int
    merged_into_id: int
    due_at: str = ""  # the earliest running service-level due time ("" when none runs)
    due_state: str = ""  # overdue, soon (within the hour), later, or ""


def due_of(ticket: TicketRead, now: datetime | None = None) -> tuple[str, str]:
    """(earliest running due time, its state) for the due badge; staff only see one."""
    if ticket.sla is None:
        return "", ""
    sla = ticket.sla
    dues = [
        due
        for due in (sla.first_response_due_at, sla.next_response_due_at, sla.resolution_due_at)
        if due is not None
    ]
    if not dues:
        return "", ""
    due = min(dues)
    return due.isoformat(), _due_state(due, now or utc_now())


def _due_state(due: datetime, now: datetime) -> str:
    left = due - now
    return "overdue" if left <= timedelta(0) else "soon" if left <= DUE_SOON else "later"


def due_now(rows: list[TicketRow]) -> list[TicketRow]:
    """The rows with their due badge as of now: a shared read may be older than the clock."""
    now = utc_now()
    return [
        replace(row, due_state=_due_state(datetime.fromisoformat(row.due_at), now))
        if row.due_at
        else row
        for row in rows
    ]


@dataclass(frozen=True)
class TicketView:
    """One ticket on its own page, with the classifier's suggestion ("" when there was none)."""

    id: int = 0
    title: str = ""
    description: str = ""
    category: str = ""
    priority: str = ""
    status: str = ""
    created_at: str = ""
    updated_at: str = ""
    suggested_category: str = ""
    suggested_priority: str = ""
    assignee_id: str = NOBODY
    assignee_name: str = ""
    requester_name: str = ""
    requester_id: int = 0
    participant_names: str = ""  # who else reads and replies to it (after a shared merge)
    version: int = 0
    comment_count: int = 0
    note_count: int = 0
    merged_into_id: int = 0
    description_parts: list[dict[str, str]] = field(default_factory=list)
    files: list[FileView] = field(default_factory=list)  # those that came with the ticket


def to_row(ticket: TicketRead, people: dict[int, Person]) -> TicketRow:
    due_at, due_state = due_of(ticket)
    return TicketRow(
        id=ticket.id,
        title=ticket.title,
        excerpt=excerpt(ticket.description),
        category=ticket.category.value,
        priority=ticket.priority.value,
        status=ticket.status.value,
        created_at=ticket.created_at.isoformat(),
        updated_at=ticket.updated_at.isoformat(),
        assignee_id=str(ticket.assignee_id) if ticket.assignee_id else NOBODY,
        assignee_name=person_name(people.get(ticket.assignee_id or 0), ticket.assignee_id),
        requester_name=person_name(people.get(ticket.created_by or 0), ticket.created_by),
        comment_count=ticket.comment_count,
        note_count=ticket.note_count or 0,
        merged_into_id=ticket.merged_into_id or 0,
        due_at=due_at,
        due_state=due_state,
    )


def to_rows(tickets: list[TicketRead]) -> list[TicketRow]:
    people = people_of(tickets)
    return [to_row(ticket, people) for ticket in tickets]


def to_view(ticket: TicketRead) -> TicketView:
    people = people_of([ticket])
    return TicketView(
        id=ticket.id,
        title=ticket.title,
        description=ticket.description,
        category=ticket.category.value,
        priority=ticket.priority.value,
        status=ticket.status.value,
        created_at=ticket.created_at.isoformat(),
        updated_at=ticket.updated_at.isoformat(),
        suggested_category=ticket.suggested_category.value if ticket.suggested_category else "",
        suggested_priority=ticket.suggested_priority.value if ticket.suggested_priority else "",
        assignee_id=str(ticket.assignee_id) if ticket.assignee_id else NOBODY,
        assignee_name=person_name(people.get(ticket.assignee_id or 0), ticket.assignee_id),
        requester_name=person_name(people.get(ticket.created_by or 0), ticket.created_by),
        requester_id=ticket.created_by or 0,
        participant_names=", ".join(person.name for person in ticket.participants),
        version=ticket.version,
        comment_count=ticket.comment_count,
        note_count=ticket.note_count or 0,
        merged_into_id=ticket.merged_into_id or 0,
        description_parts=segments(ticket.description),
        files=to_files(ticket.attachments),
    )


@dataclass(frozen=True)
class SimilarRow:
    """A ticket like the one being written or shown: what a line of the similar list says."""

    id: int
    title: str
    status: str
    created_at: str
    score: int  # percent
    reason: str


def to_similar_rows(found: list[SimilarTicket]) -> list[SimilarRow]:
    return [
        SimilarRow(
            id=ticket.id,
            title=ticket.title,
            status=ticket.status.value,
            created_at=ticket.created_at.isoformat(),
            score=round(ticket.score * 100),
            reason=ticket.reason,
        )
        for ticket in found
    ]
