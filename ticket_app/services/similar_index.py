"""Keeping the similar-tickets index in step with the tickets, in the writer's transaction.

Creating a ticket indexes its text (`add`), a change of title or description re-indexes it
(`replace`), and a merge drops the merged ticket's terms (`drop`: it is never offered as
similar again). Deleting a ticket takes its terms with it (ON DELETE CASCADE). A ticket's
vector is computed once, here; nothing about it depends on other tickets (see
`similarity.terms`), so no write ever touches another ticket's rows.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.models import SimilarTerm
from ticket_app.similarity.terms import document

TERMS = SimilarTerm.__table__


def rows(ticket_id: int, title: str, description: str) -> list[dict[str, Any]]:
    """The index rows of one ticket's text."""
    vector = document(title, description)
    return [{"term": term, "ticket_id": ticket_id, "weight": w} for term, w in vector.items()]


def add(connection: Connection, ticket: Any) -> None:
    """Index a new ticket (a row with id, title and description)."""
    if terms := rows(ticket.id, ticket.title, ticket.description):
        connection.execute(sa.insert(TERMS), terms)


def drop(connection: Connection, ticket_id: int) -> None:
    """Take a ticket out of the index."""
    connection.execute(sa.delete(TERMS).where(TERMS.c.ticket_id == ticket_id))


def replace(connection: Connection, ticket: Any) -> None:
    """Re-index a ticket whose title or description changed."""
    drop(connection, ticket.id)
    add(connection, ticket)
