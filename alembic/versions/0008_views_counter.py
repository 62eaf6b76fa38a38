"""A `views` desk counter: saved views move the live pages' revision as tickets do.

Open lists share each view's query per revision (`ui/shared_reads.py`), and the revision
followed only tickets and access, so a view saved, renamed or deleted at an unchanged
revision kept coming back as it was before from the shared result (a newly saved view
vanished from the list when the agent cleared the filters). The views service now moves this
counter in the same transaction as the view.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = sa.table("desk_counters", sa.column("name", sa.Text), sa.column("value", sa.BigInteger))


def upgrade() -> None:
    op.bulk_insert(COUNTERS, [{"name": "views", "value": 0}])


def downgrade() -> None:
    op.execute(COUNTERS.delete().where(COUNTERS.c.name == "views"))
