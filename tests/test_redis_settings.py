"""The app refuses a Redis it would trust blindly: Reflex keeps the UI state there as pickles,
so whoever can write to a password-less Redis on the network runs code in the app."""

import os
import subprocess
import sys

import pytest

from tests.conftest import reset_caches
from tests.served_app import ROOT
from ticket_app.config import ConfigError, get_settings


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch):
    def use(url: str, allow: str = "") -> str:
        monkeypatch.setenv("REFLEX_REDIS_URL", url)
        monkeypatch.setenv("REDIS_ALLOW_NO_PASSWORD", allow)
        reset_caches()
        return get_settings().redis_url

    yield use
    monkeypatch.undo()
    reset_caches()


def test_the_app_does_not_start_on_a_remote_redis_without_a_password(tmp_path):
    env = {**os.environ, "REFLEX_REDIS_URL": "redis://redis:6379/0", "DATA_DIR": str(tmp_path)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'tickets.db'}"
    started = subprocess.run(
        [sys.executable, "-m", "ticket_app.migrate"], cwd=ROOT, env=env, capture_output=True
    )
    assert started.returncode != 0
    assert b"REFLEX_REDIS_URL names a Redis at redis:6379 without a password" in started.stderr


@pytest.mark.parametrize(
    "url",
    [
        "redis://:s3cret@redis:6379/0",
        "rediss://desk:s3cret@cache.example:6380/0",
        "redis://127.0.0.1:6380/0",
        "redis://localhost:6379",
        "redis://[::1]:6379",
        "unix:///run/redis.sock",
    ],
)
def test_a_password_or_a_redis_on_this_machine_is_accepted(redis_url, url):
    assert redis_url(url) == url


@pytest.mark.parametrize("url", ["redis://redis:6379/0", "redis://desk:@10.0.0.5:6379"])
def test_a_remote_redis_without_a_password_is_refused(redis_url, url):
    with pytest.raises(ConfigError, match="without a password"):
        redis_url(url)


def test_the_opt_out_is_explicit_and_loud(redis_url, caplog: pytest.LogCaptureFixture):
    assert redis_url("redis://redis:6379/0", allow="true") == "redis://redis:6379/0"
    assert "REDIS_ALLOW_NO_PASSWORD=true: using the Redis at redis:6379" in caplog.text
