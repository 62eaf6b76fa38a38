"""What the browser receives for a ticket: plain strings, and only what the page shows.

A list row carries an excerpt of the description, never the full text, so a page of rows
stays small in the state and on the wire.
"""

from dataclasses import dataclass

from ticket_app.services.schemas import TicketRead

EXCERPT_LENGTH = 160


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The description on one line, cut at a word boundary when it is longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(".,;:-") + "…"


@dataclass(frozen=True)
class TicketRow:
    """One ticket in the list."""

    id: int
    title: str
    excerpt: str
    category: str
    priority: str
    status: str
    created_at: str


@dataclass(frozen=True)
class TicketView:
    """One ticket on its own page, with the classifier's suggestion ("" when there was none)."""

    id: int
    title: str
    description: str
    category: str
    priority: str
    status: str
    created_at: str
    updated_at: str
    suggested_category: str
    suggested_priority: str


def to_row(ticket: TicketRead) -> TicketRow:
    return TicketRow(
        id=ticket.id,
        title=ticket.title,
        excerpt=excerpt(ticket.description),
        category=ticket.category.value,
        priority=ticket.priority.value,
        status=ticket.status.value,
        created_at=ticket.created_at.isoformat(),
    )


def to_view(ticket: TicketRead) -> TicketView:
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
    )
