"""Whether the database answers: the health check's one query, on the health engine.

That engine is not the app's (see `ticket_app.db`), so the check still answers while every
pooled connection is busy with slow requests, and fails within seconds when the database
does not answer.
"""

import sqlalchemy as sa

from ticket_app.db import get_health_engine
from ticket_app.services.transaction import transaction


def check_database() -> None:
    """Raise DatabaseUnavailable unless the database answers a query."""
    with transaction(get_health_engine()) as connection:
        connection.execute(sa.text("SELECT 1"))
