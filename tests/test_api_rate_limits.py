"""API rate limits: per token, per client address and per user on the expensive routes, a 429
problem with Retry-After, on by default, and counted through the same limiter as sign-in
throttling."""

import pytest

from tests.conftest import reset_caches


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch, engine):
    def limit(per_token: int = 0, per_address: int = 0, expensive: int = 0) -> None:
        monkeypatch.setenv("API_RATE_PER_TOKEN", str(per_token))
        monkeypatch.setenv("API_RATE_PER_ADDRESS", str(per_address))
        monkeypatch.setenv("API_RATE_EXPENSIVE_PER_USER", str(expensive))
        reset_caches()

    yield limit
    monkeypatch.undo()
    reset_caches()


def test_the_default_limits_a_flood(api, admin):
    """No setting at all: a token's flood is cut at 1200 a minute, and the expensive routes at
    30 a minute per user, whichever of their tokens they use."""
    flooding = api(admin)
    answers = [flooding.get("/api/me/").status_code for _ in range(1201)]
    assert answers.count(200) == 1200
    assert answers[-1] == 429
    second = api(admin.__class__(admin.actor, _another_token(admin)))
    classify = [
        second.post("/api/tickets/classify/", json={"description": "The printer is on fire"})
        for _ in range(31)
    ]
    assert [r.status_code for r in classify] == [200] * 30 + [429]
    assert "expensive requests" in classify[-1].json()["detail"]
    assert second.get("/api/tickets/export.csv").status_code == 429  # the same user's budget
    assert second.get("/api/me/").status_code == 200  # the cheap routes are not touched


def _another_token(person) -> str:
    from ticket_app.services import api_tokens

    made = api_tokens.create(
        person.actor, data=api_tokens.validate_token_create({"name": "second"})
    )
    return made.token


def test_expensive_routes_are_limited_per_user(api, agent, limited):
    limited(expensive=2)
    agents = api(agent)
    ticket = agents.post("/api/tickets/", json={"title": "Printer", "description": "Smoke"})
    assert ticket.status_code == 201
    ticket_id = ticket.json()["id"]
    assert agents.get(f"/api/tickets/{ticket_id}/similar/").status_code == 200
    assert agents.get("/api/tickets/export.csv").status_code == 200
    for path in ("/api/tickets/export.csv", f"/api/tickets/{ticket_id}/similar/"):
        assert agents.get(path).status_code == 429
    assert agents.get(f"/api/tickets/{ticket_id}/").status_code == 200


def test_a_token_over_its_rate_gets_a_429_problem_with_retry_after(api, admin, agent, limited):
    limited(per_token=3)
    admins, agents = api(admin), api(agent)
    assert [admins.get("/api/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = admins.get("/api/tickets/")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "API token" in refused.json()["detail"]
    assert agents.get("/api/me/").status_code == 200  # another token counts on its own


def test_an_address_over_its_rate_is_refused_before_any_token_is_looked_at(api, limited):
    limited(per_address=2)
    anonymous = api()
    assert [anonymous.get("/api/me/").status_code for _ in range(3)] == [401, 401, 429]
    assert "client address" in anonymous.get("/api/me/").json()["detail"]


def test_health_is_never_limited(api, limited):
    limited(per_token=1, per_address=1)
    anonymous = api()
    assert all(anonymous.get("/api/health/").status_code == 200 for _ in range(5))
