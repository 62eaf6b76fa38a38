"""Keeping the similar-tickets index in step with the tickets.

Creating a ticket only marks it (`queue`: one `similar_pending` row in the create's own
transaction); `index_pending` writes the terms of every marked ticket afterwards, many
tickets to one statement and one commit, and deletes their marks in the same transaction.
So a create neither computes nor writes its terms (twenty-odd rows with three index entries
each were most of its WAL), and none is ever lost: a process that dies between a create's
commit and the step leaves the mark for the next sweep (`similar_worker` runs one at start
and then every SIMILAR_INDEX_SECONDS in every server process). Until then a new ticket is
not yet offered as similar to others; its own page still finds its likes (they are looked up
from its text).

A change of title or description re-indexes the ticket in the change's transaction
(`replace`), and a merge drops the merged ticket's terms (`drop`: it is never offered as
similar again; the step skips merged tickets). Deleting a ticket takes its terms and its mark
with it (ON DELETE CASCADE). A ticket's vector is computed once; nothing about it depends on
other tickets (see `similarity.terms`), so no write ever touches another ticket's rows.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.models import SimilarPending, SimilarTerm, Ticket
from ticket_app.services.transaction import transaction
from ticket_app.similarity.terms import document

TERMS = SimilarTerm.__table__
PENDING = SimilarPending.__table__
TICKETS = Ticket.__table__
BATCH = 500  # tickets per transaction of the step: a few hundred milliseconds at most


def rows(ticket_id: int, title: str, description: str) -> list[dict[str, Any]]:
    """The index rows of one ticket's text."""
    vector = document(title, description)
    return [{"term": term, "ticket_id": ticket_id, "weight": w} for term, w in vector.items()]


def queue(connection: Connection, ticket_id: int) -> None:
    """Mark a new ticket for `index_pending`, in the caller's (the create's) transaction."""
    connection.execute(sa.insert(PENDING), {"ticket_id": ticket_id})


def queue_statement(ticket_ids: sa.Select[Any]) -> sa.Insert:
    """The marks of the tickets `ticket_ids` selects, as a statement (for a caller that
    writes them in the same statement as the tickets)."""
    return sa.insert(PENDING).from_select(["ticket_id"], ticket_ids)


def add(connection: Connection, ticket: Any) -> None:
    """Index a ticket (a row with id, title and description)."""
    if terms := rows(ticket.id, ticket.title, ticket.description):
        connection.execute(sa.insert(TERMS), terms)


def drop(connection: Connection, ticket_id: int) -> None:
    """Take a ticket out of the index."""
    connection.execute(sa.delete(TERMS).where(TERMS.c.ticket_id == ticket_id))


def replace(connection: Connection, ticket: Any) -> None:
    """Re-index a ticket whose title or description changed."""
    drop(connection, ticket.id)
    add(connection, ticket)


def _claim(connection: Connection, limit: int | None) -> list[int]:
    """Up to `limit` (None: all) marked tickets, their marks deleted in this transaction.
    PostgreSQL skips marks another process is indexing, so every process may sweep at once."""
    claimed = sa.select(PENDING.c.ticket_id).order_by(PENDING.c.ticket_id).limit(limit)
    if connection.dialect.name == "postgresql":
        claimed = claimed.with_for_update(skip_locked=True)
    ids = list(connection.execute(claimed).scalars())
    if ids:
        connection.execute(sa.delete(PENDING).where(PENDING.c.ticket_id.in_(ids)))
    return ids


def index_pending_on(connection: Connection, limit: int | None = None) -> int:
    """Write the terms of up to `limit` (all when None) marked tickets in the caller's
    transaction; how many marks it took.

    The texts are read under a share lock, so a title or description changed meanwhile is
    either read here (its own `replace` then waits and writes the same terms again) or was
    committed first and is read as changed. Merged tickets keep no terms.
    """
    ids = _claim(connection, limit)
    if not ids:
        return 0
    texts = (
        sa.select(TICKETS.c.id, TICKETS.c.title, TICKETS.c.description)
        .where(TICKETS.c.id.in_(ids), TICKETS.c.merged_into_id.is_(None))
        .order_by(TICKETS.c.id)
    )
    if connection.dialect.name == "postgresql":
        texts = texts.with_for_update(read=True)
    found = connection.execute(texts).all()
    if found:
        connection.execute(sa.delete(TERMS).where(TERMS.c.ticket_id.in_([t.id for t in found])))
        terms = [term for t in found for term in rows(t.id, t.title, t.description)]
        if terms:
            _insert(connection, terms)
    return len(ids)


def _insert(connection: Connection, terms: list[dict[str, Any]]) -> None:
    """Many tickets' rows in one statement. PostgreSQL takes them as three arrays (`unnest`):
    building thousands of VALUES parameters in Python cost more than the terms themselves.
    Each array goes as one text literal (`{1,2,3}`, numbers written as psycopg2 writes them):
    psycopg2 adapting a list makes an adapter object per element, four times the CPU."""
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(TERMS), terms)
        return
    columns = {
        name: "{" + ",".join([repr(term[name]) for term in terms]) + "}"
        for name in ("term", "ticket_id", "weight")
    }
    connection.execute(_UNNEST, columns)


_UNNEST = sa.text(
    "INSERT INTO similar_terms (term, ticket_id, weight) "
    "SELECT * FROM unnest(CAST(:term AS bigint[]), CAST(:ticket_id AS integer[]), "
    "CAST(:weight AS real[]))"
)


def index_pending(batch: int = BATCH) -> int:
    """The background step: index every marked ticket, `batch` to a transaction; how many."""
    done = 0
    while True:
        with transaction(write=True) as connection:
            taken = index_pending_on(connection, batch)
        done += taken
        if taken < batch:
            return done
