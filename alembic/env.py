"""Alembic environment: runs migrations against the configured database.

Objects the models cannot describe are created by hand in the migrations and left out of
autogenerate's comparison (`ticket_app.migrate.include_name`).
"""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import ticket_app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from ticket_app.config import get_settings
from ticket_app.db import create_db_engine
from ticket_app.migrate import include_name

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = create_db_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            include_name=include_name,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            compare_server_default=False,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
