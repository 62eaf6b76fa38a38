"""Every database error leaves a service call as one of the service's own errors, with the
transaction rolled back and its connection back in the pool."""

import pytest
import sqlalchemy as sa

from ticket_app.services import tickets
from ticket_app.services.errors import DatabaseBusy, DatabaseUnavailable, InvalidInput
from ticket_app.services.schemas import TicketFilters
from ticket_app.services.transaction import transaction

INSERT_BAD_CATEGORY = sa.text(
    "INSERT INTO tickets (title, description, category, priority, status, created_at,"
    " updated_at) VALUES ('t', 'd', 'nonsense', 'low', 'open', :now, :now)"
)


def test_values_the_database_refuses_are_invalid_input_and_nothing_is_written(engine, admin):
    with pytest.raises(InvalidInput) as refused, transaction() as connection:
        connection.execute(INSERT_BAD_CATEGORY, {"now": "2026-01-01T00:00:00+00:00"})
    assert refused.value.errors[0].field == "body"
    assert tickets.list_tickets(admin.actor, filters=TicketFilters()).total == 0
    assert engine.pool.checkedout() == 0


def test_no_free_connection_in_time_is_busy(database_url):
    small = sa.create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    with small.connect(), pytest.raises(DatabaseBusy), transaction(small) as connection:
        connection.execute(sa.text("SELECT 1"))
    small.dispose()


def test_an_unexpected_database_error_is_unavailable_and_logged_with_its_trace(
    engine, caplog: pytest.LogCaptureFixture
):
    with pytest.raises(DatabaseUnavailable) as failed, transaction() as connection:
        connection.execute(sa.text("SELECT :never_given"))  # a bug, not an outage
    assert type(failed.value) is DatabaseUnavailable
    assert "unexpected database error" in caplog.text
    assert "never_given" in caplog.text
    assert engine.pool.checkedout() == 0
