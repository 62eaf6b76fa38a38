"""The `mail` history kind: a staff-only line on a ticket saying how a received mail was
threaded ("arrived by mail, matched by References"), written with the ticket or reply it made.

Widens `ticket_history`'s `kind IN (...)` CHECK the way 0015 does: PostgreSQL replaces the
constraint; SQLite edits the table's stored definition in place (its documented
`writable_schema` way for CHECKs), so millions of history rows are not copied into a rebuilt
table. The downgrade deletes the entries of that kind first.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "ticket_history"
KIND = "mail"
KIND_CHECK = re.compile(r"(CONSTRAINT kind_valid CHECK \(kind IN \()([^)]*)(\))")


def _sqlite_kinds(adding: bool) -> None:
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": TABLE},
    ).scalar_one()

    def change(match: re.Match[str]) -> str:
        kinds = match.group(2)
        kinds = kinds + f", '{KIND}'" if adding else kinds.replace(f", '{KIND}'", "")
        return match.group(1) + kinds + match.group(3)

    rewritten = KIND_CHECK.sub(change, sql)
    assert rewritten != sql, f"{TABLE}: nothing to rewrite"
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
        {"sql": rewritten, "name": TABLE},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def _postgres_kinds(adding: bool) -> None:
    found = op.get_bind().execute(
        sa.text(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = :t AND c.conname = 'kind_valid'"
        ),
        {"t": TABLE},
    )
    kinds = [kind for kind in re.findall(r"'([a-z_]+)'", found.scalar_one()) if kind != KIND]
    if adding:
        kinds.append(KIND)
    op.drop_constraint("kind_valid", TABLE, type_="check")
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.create_check_constraint("kind_valid", TABLE, f"kind IN ({listed})")


def _widen(adding: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_kinds(adding)
    else:
        _postgres_kinds(adding)


def upgrade() -> None:
    _widen(adding=True)


def downgrade() -> None:
    op.execute(f"DELETE FROM {TABLE} WHERE kind = '{KIND}'")
    _widen(adding=False)
