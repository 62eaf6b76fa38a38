"""PostgreSQL's search text moves beside the tickets: `tickets_search`, with the trigram indexes.

A GIN trigram index on `tickets` took new entries for every trigram of a ticket on every
update of any column (an update that changes an indexed column cannot be HOT, and GIN keeps no
"unchanged" shortcut), so a bulk change of 1,000 tickets' status spent 2.4 s of its 2.7 s
re-indexing descriptions nobody had touched. `tickets_search(id, title, description)` holds
the text alone, kept by a trigger that fires only when a title or description changes: the
same shape as SQLite's FTS5 table of the same name, which this leaves as it is.

The copy is one INSERT ... SELECT and the two indexes are built afterwards (one sort each);
at a million tickets that is a few minutes, once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("title", "description")
KEEP_SEARCH = """
CREATE FUNCTION tickets_keep_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tickets_search (id, title, description)
        VALUES (NEW.id, NEW.title, NEW.description);
    ELSE
        UPDATE tickets_search SET title = NEW.title, description = NEW.description
        WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END $$
"""


def _trigram_indexes(table: str) -> None:
    """The two trigram indexes with short pending lists (see 0002)."""
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_tickets_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops) "
            "WITH (gin_pending_list_limit = 256)"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE tickets_search ("
        "id integer PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE, "
        "title text NOT NULL, description text NOT NULL) "
        "WITH (autovacuum_vacuum_insert_scale_factor = 0.01)"
    )
    op.execute(
        "INSERT INTO tickets_search (id, title, description) "
        "SELECT id, title, description FROM tickets"
    )
    for column in COLUMNS:
        op.execute(f"DROP INDEX ix_tickets_{column}_trgm")
    _trigram_indexes("tickets_search")
    op.execute(KEEP_SEARCH)
    op.execute(
        "CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets "
        "FOR EACH ROW EXECUTE FUNCTION tickets_keep_search()"
    )
    op.execute(
        "CREATE TRIGGER tickets_search_update AFTER UPDATE OF title, description ON tickets "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title "
        "OR OLD.description IS DISTINCT FROM NEW.description) "
        "EXECUTE FUNCTION tickets_keep_search()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER tickets_search_update ON tickets")
    op.execute("DROP TRIGGER tickets_search_insert ON tickets")
    op.execute("DROP FUNCTION tickets_keep_search()")
    op.execute("DROP TABLE tickets_search")
    _trigram_indexes("tickets")
