"""Who holds a session is cached briefly, and longer only while the live poller watches the
access counter, which every revocation moves."""

import pytest

from ticket_app.services import credentials, sessions
from ticket_app.services.transaction import transaction


@pytest.fixture(autouse=True)
def unwatched():
    credentials.watch_access(False)
    yield
    credentials.watch_access(False)


def queries_for(secret: str, times: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many of `times` resolutions went to the database."""
    calls = []
    real = transaction

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sessions, "transaction", counting)
    for _ in range(times):
        assert sessions.resolve(secret) is not None
    monkeypatch.setattr(sessions, "transaction", real)
    return len(calls)


def test_a_watched_session_is_kept_longer_than_auth_cache_seconds(agent, monkeypatch):
    secret = sessions.start(agent.actor)
    clock = [1000.0]
    monkeypatch.setattr(credentials.time, "monotonic", lambda: clock[0])
    assert queries_for(secret, 1, monkeypatch) == 1
    clock[0] += 3  # past the 2 s default
    assert queries_for(secret, 1, monkeypatch) == 1  # unwatched: asked again
    credentials.watch_access(True)
    clock[0] += 3
    assert queries_for(secret, 1, monkeypatch) == 1
    clock[0] += 30
    assert queries_for(secret, 1, monkeypatch) == 0  # watched: kept
    clock[0] += 31
    assert queries_for(secret, 1, monkeypatch) == 1  # but not past WATCHED_SESSION_SECONDS


def test_the_poller_stopping_forgets_what_it_let_the_cache_keep(agent, monkeypatch):
    secret = sessions.start(agent.actor)
    credentials.watch_access(True)
    sessions.resolve(secret)
    credentials.watch_access(False)
    assert sessions.cached(secret) == (False, None)


def test_a_session_is_never_kept_past_its_own_expiry():
    credentials.watch_access(True)
    assert credentials.session_cache_seconds(valid_for=5) == 5
    assert credentials.session_cache_seconds(valid_for=3600) == credentials.WATCHED_SESSION_SECONDS
