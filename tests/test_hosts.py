"""Requests addressed to another host name are refused (DNS rebinding), through HTTP.

`tests/served/test_hosts.py` checks the pages and the websocket handshake of the served app.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import reset_caches
from ticket_app.services import tickets
from ticket_app.services.schemas import TicketCreate


def get(client: TestClient, path: str, host: str):
    return client.get(path, headers={"Host": host})


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example"])
def test_an_api_request_for_another_host_is_a_400_problem(client, host):
    response = get(client, "/api/tickets/", host)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "This server does not answer for that host name."


def test_outside_the_api_it_is_a_plain_400(client):
    response = get(client, "/", "evil.example")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("host", ["localhost:8000", "LOCALHOST", "127.0.0.1:8000", "[::1]:8000"])
def test_a_localhost_app_answers_to_every_loopback_name(client, host):
    assert get(client, "/api/tickets/", host).status_code == 200


@pytest.fixture
def public_app(engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app as deployed at https://desk.example.com, also reachable as desk.internal."""
    from ticket_app.api.app import create_api

    monkeypatch.setenv("APP_URL", "https://desk.example.com")
    monkeypatch.setenv("ALLOWED_HOSTS", "desk.internal, Desk-2.Internal")
    reset_caches()
    with TestClient(create_api(), base_url="https://desk.example.com") as client:
        yield client
    monkeypatch.undo()
    reset_caches()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("desk.example.com", 200),
        ("desk.example.com:443", 200),
        ("desk.internal", 200),
        ("desk-2.internal:8000", 200),
        ("127.0.0.1:8000", 400),
        ("localhost", 400),
        ("evil.example", 400),
    ],
)
def test_a_public_app_answers_to_its_own_and_the_configured_names(public_app, host, status):
    assert get(public_app, "/api/health/", host).status_code == status


def test_the_next_link_points_at_the_configured_origin_not_the_host_asked(client, admin):
    for title in ("First", "Second"):
        data = TicketCreate(title=title, description="d", category="general")
        tickets.create_ticket(admin.actor, data=data)
    response = get(client, "/api/tickets/?limit=1&status=open", "127.0.0.1:8000")
    link = response.headers["link"]
    assert link.startswith("<http://localhost:8000/api/tickets/?")
    assert "status=open" in link
