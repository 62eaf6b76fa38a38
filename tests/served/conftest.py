"""The served app for websocket tests: what a script speaking Reflex's protocol can do to it.

One `reflex run --env prod` (see `tests/served_app.py`) for the session, with a short poll
interval and a small cap on live pages (and on one person's share), so a test reaches the
limits with a few tabs. Its people (made with the management CLI) sign in through the real
sign-in form, and a tab carries the session cookie in its handshake as a browser would.
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.served_app import ROOT, ServedApp, served_app

WATCHER_LIMIT = 4
WATCHER_SHARE = 3  # of them, one person's tabs
WATCHING = re.compile(r"live updates: (\d+) pages watching")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(
        tmp_path_factory.mktemp("served-data"),
        LIVE_POLL_SECONDS="0.3",
        LIVE_WATCHERS_MAX=str(WATCHER_LIMIT),
        LIVE_WATCHERS_PER_USER=str(WATCHER_SHARE),
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


PASSWORD = "correct horse battery staple"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Desk:
    """The served app's people: a session cookie per role, and the admin's API token."""

    app: ServedApp
    cookies: dict[str, str]
    admin_token: str

    def create_ticket(self, title: str, **fields: str) -> dict[str, Any]:
        body = {"title": title, "description": f"{title}: details.", **fields}
        request = urllib.request.Request(
            f"{self.app.url}/api/tickets/",
            data=json.dumps(body).encode(),
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {self.admin_token}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def get_ticket(self, ticket_id: int) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.app.url}/api/tickets/{ticket_id}/",
            headers={"authorization": f"Bearer {self.admin_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def manage(app: ServedApp, *arguments: str, stdin: str = "") -> str:
    """The management CLI against the served app's database; its standard output."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{app.log_path.parent / 'tickets.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "ticket_app.manage", *arguments],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def post_form(app: ServedApp, path: str, fields: dict[str, str], cookie: str = "") -> Any:
    """Post a form as the app's own page does; the headers of its answer (a 303)."""
    headers = {"Origin": app.url, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(
        f"{app.url}{path}",
        data=urllib.parse.urlencode(fields).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as answer:
            return answer.headers
    except urllib.error.HTTPError as answer:  # the redirect, not followed
        return answer.headers


def session_cookie(app: ServedApp, email: str) -> str:
    """Sign in through the real form; the Cookie header a browser would send afterwards."""
    answer = post_form(app, "/auth/sign-in", {"email": email, "password": PASSWORD, "next": "/"})
    return answer["set-cookie"].split(";", 1)[0]


@pytest.fixture(scope="session")
def desk(live_app: ServedApp) -> Desk:
    people = {
        "admin": "ada@example.com",
        "agent": "alan@example.com",
        "requester": "rita@example.com",
    }
    for role, email in people.items():
        manage(
            live_app,
            "create-user",
            email,
            "--name",
            role.title(),
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    token = manage(live_app, "create-token", people["admin"], "--name", "served tests")
    cookies = {role: session_cookie(live_app, email) for role, email in people.items()}
    return Desk(live_app, cookies, token)
