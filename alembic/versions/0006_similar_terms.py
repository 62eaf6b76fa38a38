"""The similar-tickets index: `similar_terms`, each ticket's weighted terms, filled for the
tickets already there.

Written by hand like the others. The terms come from `ticket_app.similarity.terms` (its
VERSION 1 rules): a later change of those rules ships a migration of its own that refills the
table. Tickets already merged into another get no terms, as a merge drops them.

Filling reads the tickets in id order, a batch at a time, and inserts their terms; at a
million tickets that is about 25 million rows and a few minutes. PostgreSQL gets the bare
table first and its key, indexes and reference afterwards (one sort each, one validating
join), which is several times faster than keeping them up to date row by row; SQLite, which
cannot add a reference to an existing table, gets the whole table at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ticket_app.similarity.terms import document

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000  # tickets per round trip
SAMPLE = 16  # every SAMPLE-th ticket's terms are in the partial index (document frequencies)
REFERENCE = "fk_similar_terms_ticket"


def _columns(with_reference: bool) -> list[sa.Column | sa.CheckConstraint]:
    ticket = (
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name=REFERENCE, ondelete="CASCADE"),
            nullable=False,
        )
        if with_reference
        else sa.Column("ticket_id", sa.Integer, nullable=False)
    )
    return [
        sa.Column("term", sa.BigInteger, nullable=False),
        ticket,
        sa.Column("weight", sa.REAL, nullable=False),
        sa.CheckConstraint("weight > 0 AND weight <= 1", name="weight_in_range"),
    ]


def _fill(terms: sa.Table) -> None:
    """Insert the terms of every ticket not merged into another, BATCH tickets at a time."""
    connection = op.get_bind()
    tickets = sa.table("tickets", sa.column("id"), sa.column("title"), sa.column("description"))
    merged = sa.column("merged_into_id")
    last = 0
    while True:
        batch = connection.execute(
            sa.select(tickets.c.id, tickets.c.title, tickets.c.description)
            .select_from(tickets)
            .where(tickets.c.id > last, merged.is_(None))
            .order_by(tickets.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rows = [
            {"term": term, "ticket_id": ticket.id, "weight": weight}
            for ticket in batch
            for term, weight in document(ticket.title, ticket.description).items()
        ]
        if rows:
            connection.execute(sa.insert(terms), rows)
        last = batch[-1].id


def _indexes() -> None:
    op.create_index("ix_similar_terms_ticket", "similar_terms", ["ticket_id"])
    sampled = sa.text(f"ticket_id % {SAMPLE} = 0")
    op.create_index(
        "ix_similar_terms_sample",
        "similar_terms",
        ["term"],
        postgresql_where=sampled,
        sqlite_where=sampled,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        terms = op.create_table("similar_terms", *_columns(with_reference=False))
        _fill(terms)
        op.execute(
            "ALTER TABLE similar_terms ADD CONSTRAINT pk_similar_terms "
            "PRIMARY KEY (term, ticket_id) INCLUDE (weight)"
        )
        op.create_foreign_key(
            REFERENCE, "similar_terms", "tickets", ["ticket_id"], ["id"], ondelete="CASCADE"
        )
    else:
        terms = op.create_table(
            "similar_terms",
            *_columns(with_reference=True),
            sa.PrimaryKeyConstraint("term", "ticket_id", name="pk_similar_terms"),
            sqlite_with_rowid=False,
        )
        _fill(terms)
    _indexes()


def downgrade() -> None:
    op.drop_table("similar_terms")
