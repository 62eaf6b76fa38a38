"""Nothing waits on the database for long: a statement over its time limit, or a request with
no free connection in time, is a 503 problem with Retry-After, nothing half-written, and the
health check still answers.

The waits are real: another connection holds a lock the request needs (what a long migration
or a forgotten open transaction does), or holds every pooled connection.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest
import sqlalchemy as sa

from tests.conftest import LIMIT
from ticket_app.db import get_engine
from ticket_app.services.errors import DatabaseBusy
from ticket_app.services.transaction import transaction

TICKET = {"title": "Printer on fire", "description": "Smoke comes out of the paper tray."}


def assert_busy_problem(response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"].startswith("The database is busy. Nothing was changed")
    assert "Traceback" not in response.text


def test_a_statement_over_the_limit_is_a_503_and_writes_nothing(client, locked_tickets):
    started = time.monotonic()
    assert_busy_problem(client.post("/api/tickets/", json=TICKET))
    assert time.monotonic() - started < LIMIT + 2
    if locked_tickets.dialect.name == "postgresql":
        assert_busy_problem(client.get("/api/tickets/"))
    locked_tickets.rollback()
    assert client.get("/api/tickets/").headers["x-total-count"] == "0"
    assert client.post("/api/tickets/", json=TICKET).status_code == 201
    assert get_engine().pool.checkedout() == 0


def test_a_runaway_query_is_stopped_and_its_connection_serves_the_next(tight_limits):
    runaway = (
        "SELECT pg_sleep(30)"
        if get_engine().dialect.name == "postgresql"
        else "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"
    )
    started = time.monotonic()
    with pytest.raises(DatabaseBusy), transaction() as connection:
        connection.execute(sa.text(runaway))
    assert time.monotonic() - started < LIMIT + 2
    assert get_engine().pool.checkedout() == 0
    with transaction() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_no_free_connection_is_a_503_while_health_answers(client, tight_limits):
    engine = get_engine()
    held = [engine.connect() for _ in range(2 * engine.pool.size())]  # pool and overflow
    try:
        assert_busy_problem(client.get("/api/tickets/"))
        started = time.monotonic()
        health = client.get("/api/health/")
        assert health.status_code == 200
        assert time.monotonic() - started < 1
    finally:
        for connection in held:
            connection.close()
    assert client.get("/api/tickets/").status_code == 200


def test_health_answers_while_every_shared_worker_thread_is_taken(client):
    """Requests waiting on the database hold the threadpool FastAPI shares between routes;
    health has threads of its own."""
    limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
    borrowers = [object() for _ in range(int(limiter.total_tokens))]
    for borrower in borrowers:
        client.portal.call(limiter.acquire_on_behalf_of, borrower)
    try:
        with ThreadPoolExecutor(1) as pool:
            health = pool.submit(client.get, "/api/health/").result(timeout=5)
        assert health.status_code == 200
    finally:
        for borrower in borrowers:
            client.portal.call(limiter.release_on_behalf_of, borrower)
