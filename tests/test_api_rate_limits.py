"""API rate limits: per token and per client address, a 429 problem with Retry-After, off by
default, and counted through the same limiter as sign-in throttling."""

import pytest

from tests.conftest import reset_caches


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch, engine):
    def limit(per_token: int = 0, per_address: int = 0) -> None:
        monkeypatch.setenv("API_RATE_PER_TOKEN", str(per_token))
        monkeypatch.setenv("API_RATE_PER_ADDRESS", str(per_address))
        reset_caches()

    yield limit
    monkeypatch.undo()
    reset_caches()


def test_no_limit_by_default(client):
    assert all(client.get("/api/me/").status_code == 200 for _ in range(50))


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
