"""The history of a ticket, written with every change in the change's own transaction.

Writers build entries with `created`, `changed` and `entry` and insert them with `record` on
the connection of their transaction, so a ticket is never written without its history (a test
drives every write path and checks). `public` marks what a requester may see: the ticket's
creation, status changes, public replies and merges; triage and internal notes stay with the
staff. `timeline.py` reads it back.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.domain import DONE_STATUSES, HistoryKind
from ticket_app.models import TicketHistory, utc_now
from ticket_app.services.access import Actor

HISTORY = TicketHistory.__table__
PUBLIC_FIELDS = frozenset({"status"})


def entry(
    ticket_id: int,
    actor: Actor | None,
    kind: HistoryKind,
    *,
    public: bool,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    comment_id: int | None = None,
) -> dict[str, Any]:
    """One history row, ready to insert; values are stored as text (ids as digits)."""
    return {
        "ticket_id": ticket_id,
        "actor_id": actor.id if actor else None,
        "token_id": actor.token_id if actor else None,
        "kind": kind.value,
        "field": field,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
        "comment_id": comment_id,
        "public": public,
        "at": utc_now(),
    }


def record(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Insert entries in the caller's transaction (one statement for many)."""
    if entries:
        connection.execute(sa.insert(HISTORY), entries)


def pair(category: Any, priority: Any) -> str | None:
    """`category/priority`, the form `created` entries keep suggestions and choices in."""
    if category is None:
        return None
    return f"{getattr(category, 'value', category)}/{getattr(priority, 'value', priority)}"


def created(ticket: Any, actor: Actor | None) -> dict[str, Any]:
    """What the classifier suggested (old) and what was kept (new)."""
    return entry(
        ticket.id,
        actor,
        HistoryKind.CREATED,
        public=True,
        old=pair(ticket.suggested_category, ticket.suggested_priority),
        new=pair(ticket.category, ticket.priority),
    )


def changed(old: Any, changes: dict[str, Any], actor: Actor | None) -> list[dict[str, Any]]:
    """One entry per field that really changed between the row `old` and `changes`."""
    entries = []
    for field, value in changes.items():
        before = getattr(old, field)
        if before == value:
            continue
        if field == "assignee_id":
            entries.append(
                entry(
                    old.id,
                    actor,
                    HistoryKind.ASSIGNED,
                    public=False,
                    field="assignee",
                    old=before,
                    new=value,
                )
            )
            continue
        kind = HistoryKind.CHANGED
        if field == "status" and before in DONE_STATUSES and value not in DONE_STATUSES:
            kind = HistoryKind.REOPENED
        entries.append(
            entry(
                old.id,
                actor,
                kind,
                public=field in PUBLIC_FIELDS,
                field=field,
                old=before,
                new=value,
            )
        )
    return entries
