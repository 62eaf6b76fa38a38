"""`similar_pending`: the tickets whose similar-tickets terms are still to be written.

A create used to write its ticket's terms (twenty-odd `similar_terms` rows, three index
entries each) in its own transaction: the largest part of a create's WAL and statements. It
now writes one row here instead, in the same transaction as the ticket, and a background
step (`services.similar_index.index_pending`, run by `similar_worker` in every server process
at start and then every SIMILAR_INDEX_SECONDS) writes the terms of many tickets in one
transaction and deletes their rows. A crash between the create's commit and the step loses
nothing: the row is still here for the next sweep. Rows go with their ticket (ON DELETE
CASCADE).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "similar_pending",
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_similar_pending_ticket", ondelete="CASCADE"),
            primary_key=True,
        ),
    )


def downgrade() -> None:
    # Pending tickets get their terms first, as the step would have written them, so going
    # back to writing terms in the create's transaction leaves no ticket out of the index.
    from ticket_app.services.similar_index import index_pending_on

    index_pending_on(op.get_bind())
    op.drop_table("similar_pending")
