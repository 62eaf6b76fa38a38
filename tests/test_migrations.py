"""Migrations build the whole schema from nothing, tear it down, and agree with the models."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from tests.support.database import scratch_database
from ticket_app.db import create_db_engine
from ticket_app.migrate import alembic_config, include_name

APP_TABLES = {"tickets", "ticket_counts"}


@pytest.fixture
def empty_url(database_url, tmp_path) -> Iterator[str]:
    """A second, empty database on the same server as the session's."""
    with scratch_database(database_url, tmp_path) as url:
        yield url


def inspect(url: str, what) -> object:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return what(connection)
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    return inspect(url, lambda c: set(sa.inspect(c).get_table_names()))


def pending_changes(url: str) -> list:
    def diff(connection):
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        return compare_metadata(context, SQLModel.metadata)

    return inspect(url, diff)


def test_upgrade_downgrade_upgrade_on_an_empty_database(empty_url):
    config = alembic_config(empty_url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    assert tables(empty_url) >= APP_TABLES
    command.downgrade(config, "base")
    assert tables(empty_url) & (APP_TABLES | {"tickets_search"}) == set()
    command.upgrade(config, "head")
    assert tables(empty_url) >= APP_TABLES


def test_models_and_migrated_schema_agree(empty_url):
    config = alembic_config(empty_url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    assert pending_changes(empty_url) == []


def test_search_index_exists_after_migration(database_url):
    if make_url(database_url).get_backend_name() == "sqlite":
        assert "tickets_search" in tables(database_url)
    else:
        indexes = inspect(
            database_url,
            lambda c: {
                table: {i["name"] for i in sa.inspect(c).get_indexes(table)}
                for table in ("tickets", "tickets_search")
            },
        )
        trigram = {"ix_tickets_title_trgm", "ix_tickets_description_trgm"}
        assert trigram <= indexes["tickets_search"]  # beside the tickets, not on them (0007)
        assert not trigram & indexes["tickets"]


def test_migrate_command_is_idempotent(database_url):
    from ticket_app.migrate import upgrade

    upgrade(database_url)
    upgrade(database_url)
    version = inspect(
        database_url, lambda c: c.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    )
    assert len(version) == 1


def test_trigram_indexes_keep_short_pending_lists(database_url):
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("PostgreSQL's GIN indexes only; SQLite's FTS5 merges its own segments")
    options = inspect(
        database_url,
        lambda c: dict(
            c.execute(
                sa.text(
                    "SELECT relname, reloptions FROM pg_class WHERE relname IN "
                    "('ix_tickets_title_trgm', 'ix_tickets_description_trgm', 'tickets', "
                    "'tickets_search')"
                )
            ).all()
        ),
    )
    assert options["ix_tickets_title_trgm"] == ["gin_pending_list_limit=256"]
    assert options["ix_tickets_description_trgm"] == ["gin_pending_list_limit=256"]
    assert "autovacuum_vacuum_insert_scale_factor=0.01" in options["tickets"]
    assert "autovacuum_vacuum_insert_scale_factor=0.01" in options["tickets_search"]


def test_similar_index_is_filled_for_tickets_already_there(empty_url):
    """0006 indexes every existing ticket but the merged ones; its downgrade drops the index."""
    from ticket_app.similarity.terms import document

    config = alembic_config(empty_url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "0005")
    texts = [("VPN drops", "The VPN drops hourly."), ("Refund", "Charged twice, refund me.")]
    engine = create_db_engine(empty_url)
    with engine.begin() as connection:
        for title, description in [*texts, ("Merged", "A merged duplicate.")]:
            connection.execute(
                sa.text(
                    "INSERT INTO tickets (title, description, category, priority) "
                    "VALUES (:title, :description, 'general', 'low')"
                ),
                {"title": title, "description": description},
            )
        connection.execute(sa.text("UPDATE tickets SET merged_into_id = 1 WHERE id = 3"))
    engine.dispose()
    command.upgrade(config, "head")
    rows = inspect(
        empty_url,
        lambda c: c.execute(sa.text("SELECT ticket_id, term, weight FROM similar_terms")).all(),
    )
    for ticket_id, (title, description) in enumerate(texts, 1):
        stored = {term: weight for owner, term, weight in rows if owner == ticket_id}
        assert stored == pytest.approx(document(title, description), rel=1e-6)
    assert {owner for owner, _, _ in rows} == {1, 2}
    assert pending_changes(empty_url) == []
    command.downgrade(config, "0005")
    assert "similar_terms" not in tables(empty_url)


def test_downgrading_0017_indexes_the_tickets_still_marked(empty_url):
    """Without `similar_pending` the create writes its own terms again: the downgrade first
    writes those of every ticket still marked, so none is left out of the index."""
    from ticket_app.similarity.terms import document

    config = alembic_config(empty_url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    engine = create_db_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO tickets (title, description, category, priority) "
                "VALUES ('VPN drops', 'The VPN drops hourly.', 'general', 'low')"
            )
        )
        connection.execute(sa.text("INSERT INTO similar_pending (ticket_id) VALUES (1)"))
    engine.dispose()
    command.downgrade(config, "0016")
    assert "similar_pending" not in tables(empty_url)
    rows = inspect(
        empty_url, lambda c: c.execute(sa.text("SELECT term, weight FROM similar_terms")).all()
    )
    assert dict(rows) == pytest.approx(document("VPN drops", "The VPN drops hourly."), rel=1e-6)
