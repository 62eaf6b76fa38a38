"""The similar-tickets index: each ticket's weighted terms, one row per term.

The primary key (term, ticket_id) is the inverted index: a query walks one term's newest
postings backwards. On PostgreSQL it carries the weight (INCLUDE), on SQLite the table is
the key (WITHOUT ROWID), so neither reads a table row to score. `ix_similar_terms_ticket`
serves rescoring and the cascade when a ticket goes; the partial `ix_similar_terms_sample`
holds every SAMPLE-th ticket's terms, from which a query estimates how common a term is
without counting a million postings. Rows go with their ticket (ON DELETE CASCADE).
"""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SAMPLE = 16
SAMPLED = sa.text(f"ticket_id % {SAMPLE} = 0")


class SimilarTerm(SQLModel, table=True):
    """One term of one ticket with its weight in the ticket's unit-length vector."""

    __tablename__ = "similar_terms"
    __table_args__ = (
        sa.PrimaryKeyConstraint(
            "term", "ticket_id", name="pk_similar_terms", postgresql_include=["weight"]
        ),
        sa.CheckConstraint("weight > 0 AND weight <= 1", name="weight_in_range"),
        sa.Index("ix_similar_terms_ticket", "ticket_id"),
        sa.Index("ix_similar_terms_sample", "term", postgresql_where=SAMPLED, sqlite_where=SAMPLED),
        {"sqlite_with_rowid": False},
    )

    term: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_similar_terms_ticket", ondelete="CASCADE"),
            nullable=False,
        )
    )
    weight: float = Field(sa_column=sa.Column(sa.REAL, nullable=False))


class SimilarPending(SQLModel, table=True):
    """A ticket whose terms are still to be written (revision 0016): the create inserts this
    row in its own transaction, `similar_index.index_pending` writes the terms and deletes it."""

    __tablename__ = "similar_pending"

    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_similar_pending_ticket", ondelete="CASCADE"),
            primary_key=True,
        )
    )
