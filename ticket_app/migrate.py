"""Apply pending migrations: `python -m ticket_app.migrate` (the run commands call it first).

Idempotent, so it is safe on every start; nobody has to remember `alembic upgrade head`.
"""

import sys
from typing import Any

from alembic import command
from alembic.config import Config

from ticket_app.config import PROJECT_ROOT, get_settings

HAND_MADE_PREFIXES = ("tickets_search", "ix_tickets_title_trgm", "ix_tickets_description_trgm")


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Autogenerate filter: leave out the search objects the models cannot describe (the
    SQLite FTS5 table and its shadow tables, the PostgreSQL trigram indexes)."""
    return not (name and type_ in {"table", "index"} and name.startswith(HAND_MADE_PREFIXES))


def alembic_config(database_url: str | None = None) -> Config:
    """The project's Alembic configuration, optionally for another database than configured."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = database_url or get_settings().database_url
    return config


def upgrade(database_url: str | None = None, quiet: bool = False) -> None:
    """Apply pending migrations; `quiet` leaves logging alone (no INFO lines on stderr)."""
    config = alembic_config(database_url)
    if quiet:
        config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def main() -> int:
    upgrade()
    print("database is at the newest migration", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
