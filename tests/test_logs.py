"""Logs never hold ticket text: a database error names the statement, never its values.

SQLAlchemy puts a failed statement's bound parameters into its error message, and the app
logs database errors; titles and descriptions are customers' words and stay out of logs.
"""

import uuid

import pytest
import sqlalchemy as sa

from ticket_app.db import get_engine


def test_a_failed_create_logs_the_statement_but_not_the_ticket(
    client, locked_tickets, caplog: pytest.LogCaptureFixture
):
    secret = f"card number {uuid.uuid4().hex}"
    ticket = {"title": f"Charged twice: {secret}", "description": f"My {secret} was charged."}
    assert client.post("/api/tickets/", json=ticket).status_code == 503
    assert "[SQL: " in caplog.text  # the error is logged with its statement...
    assert secret not in caplog.text  # ...without what the customer wrote


def test_database_errors_hide_their_parameters(engine):
    secret = uuid.uuid4().hex
    with pytest.raises(sa.exc.DBAPIError) as failed, get_engine().connect() as connection:
        connection.execute(sa.text("SELECT * FROM no_such_table WHERE title = :t"), {"t": secret})
    assert secret not in str(failed.value)
