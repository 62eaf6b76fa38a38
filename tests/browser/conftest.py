"""The real app in a subprocess (`tests/served_app.py`), driven by headless Chromium through
Playwright, one app for the whole session. Screenshots go to a temporary folder, or with
UPDATE_SCREENSHOTS=1 (`make screenshots`) to docs/screenshots/ for the README.
"""

import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.served_app import ROOT, served_app

# Every run takes the screenshots (a broken page shows up there); only `make screenshots`
# (UPDATE_SCREENSHOTS=1) writes them over the committed ones in docs/screenshots/.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "support-desk-screenshots"
)
STEP_TIMEOUT = 30_000  # ms for a page or an action on a busy CI machine; live checks set 5 s
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Realistic tickets for the lists, charts and screenshots. Those without a category and
# priority are classified by the offline model, as if an agent had kept the suggestion.
SEED: list[dict[str, str]] = [
    {
        "title": "Charged twice for the March invoice",
        "description": "The March invoice was taken twice from our company card. "
        "Please refund one of the two payments.",
    },
    {
        "title": "VPN disconnects every hour",
        "description": "Since the update the VPN client drops the connection every hour and "
        "the whole sales team has to log in again.",
        "status": "in_progress",
    },
    {
        "title": "Cannot reset my password",
        "description": "The reset mail never arrives, I checked spam. I am locked out of "
        "my account before a customer call.",
        "category": "account",
        "priority": "critical",
    },
    {
        "title": "Export to CSV misses the totals column",
        "description": "The monthly report export has every column except the totals.",
        "status": "resolved",
    },
    {
        "title": "Please add our new office address",
        "description": "We moved to 12 Harbour Street; please update it on future invoices.",
        "category": "general",
        "priority": "low",
        "status": "closed",
    },
    {
        "title": "Two-factor codes arrive late",
        "description": "SMS codes for two-factor login arrive after they have expired.",
        "status": "in_progress",
    },
]


def _chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("The browser tests need Debian's chromium (apt-get install chromium).")
    return found


class Api:
    """The REST API of the running app, as another system would call it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def create(self, title: str, description: str | None = None, **fields: str) -> dict[str, Any]:
        body = {"title": title, "description": description or f"{title}. Details inside.", **fields}
        return self._call("POST", "/api/tickets/", body)

    def get(self, ticket_id: int) -> dict[str, Any]:
        return self._call("GET", f"/api/tickets/{ticket_id}/")

    def patch(self, ticket_id: int, **fields: str) -> dict[str, Any]:
        return self._call("PATCH", f"/api/tickets/{ticket_id}/", fields)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/api/tickets/stats/")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app once per session and return its origin."""
    with served_app(tmp_path_factory.mktemp("browser-data")) as app:
        yield app.url


@pytest.fixture(scope="session")
def api(app_url: str) -> Api:
    return Api(app_url)


@pytest.fixture(scope="session")
def seeded(api: Api) -> list[dict[str, Any]]:
    """A few realistic tickets, so lists, charts and screenshots have something to show."""
    made = []
    for seed in SEED:
        fields = dict(seed)
        status = fields.pop("status", "open")
        ticket = api.create(**fields)
        if status != "open":
            ticket = api.patch(ticket["id"], status=status)
        made.append(ticket)
    return made


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    expect.set_options(timeout=STEP_TIMEOUT)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser: Browser, app_url: str, seeded: list[dict[str, Any]]) -> Iterator[Any]:
    """`open_page(path, width=1280)`: a new tab (own session) at `path` in the app."""
    contexts = []

    def open_(path: str, width: int = 1280) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            base_url=app_url,
            locale="en-US",
        )
        context.set_default_timeout(STEP_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a PNG of the page (for the README with UPDATE_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let toasts and charts settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
