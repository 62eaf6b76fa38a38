"""The served app for websocket tests: what a script speaking Reflex's protocol can do to it.

One `reflex run --env prod` (see `tests/served_app.py`) for the session, with a short poll
interval and a small cap on live pages, so a test reaches the limits with a few tabs.
"""

import asyncio
import re
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest

from tests.served_app import ServedApp, served_app

WATCHER_LIMIT = 4
WATCHING = re.compile(r"live updates: (\d+) pages watching")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(
        tmp_path_factory.mktemp("served-data"),
        LIVE_POLL_SECONDS="0.3",
        LIVE_WATCHERS_MAX=str(WATCHER_LIMIT),
    ) as app:
        yield app


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def watching(app: ServedApp) -> int:
    """How many pages the app's process keeps live, from its latest log line saying so."""
    counts = WATCHING.findall(app.log())
    return int(counts[-1]) if counts else 0


def settled_watching(app: ServedApp, quiet: float = 1.5, timeout: float = 15) -> int:
    """The number of live pages once the app's reports stopped changing for `quiet` seconds
    (five poll intervals): a new count is reported at the next poll, not at once."""
    deadline = time.monotonic() + timeout
    seen, since = watching(app), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        if (now := watching(app)) != seen:
            seen, since = now, time.monotonic()
    return seen
