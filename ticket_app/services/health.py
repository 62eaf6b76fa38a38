"""Whether the database answers: the health check's one query, on the health engine.

That engine is not the app's (see `ticket_app.db`), so the check still answers while every
pooled connection is busy with slow requests, and fails within seconds when the database
does not answer.

The outbox is reported beside it (`mail_queue`): "stuck" when SMTP_URL is set and the oldest
queued mail waited longer than MAIL_STUCK_MINUTES, "held" when there is no SMTP_URL (mail is
kept, not sent), "ok" otherwise. A stuck queue does not make the app unhealthy (the status
code stays 200): a load balancer must not take working instances out because a mail server
is down; monitoring reads the field. `mail_quarantine` counts received mail waiting for an
admin in the quarantine (up to 1,000), for the same monitoring.
"""

from datetime import timedelta
from typing import Literal

import sqlalchemy as sa

from ticket_app.config import get_settings
from ticket_app.db import get_health_engine
from ticket_app.models import utc_now
from ticket_app.services.inbound import quarantine_count
from ticket_app.services.outbox import oldest_queued
from ticket_app.services.transaction import transaction

MailQueue = Literal["ok", "stuck", "held"]


def check_database() -> None:
    """Raise DatabaseUnavailable unless the database answers a query."""
    with transaction(get_health_engine()) as connection:
        connection.execute(sa.text("SELECT 1"))


def mail_queue() -> MailQueue:
    """How the outbox is doing (see the module docstring); one index probe."""
    settings = get_settings()
    if not settings.smtp_url:
        return "held"
    with transaction(get_health_engine()) as connection:
        oldest = oldest_queued(connection)
    if oldest is not None and utc_now() - oldest > timedelta(minutes=settings.mail_stuck_minutes):
        return "stuck"
    return "ok"


def mail_quarantine() -> int:
    """How many received messages wait in the quarantine (one partial-index range)."""
    with transaction(get_health_engine()) as connection:
        return quarantine_count(connection)
