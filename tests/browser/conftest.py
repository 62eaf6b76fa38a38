"""The real app in a subprocess (`tests/served_app.py`), driven by headless Chromium through
Playwright, one app for the whole session. Screenshots go to a temporary folder, or with
UPDATE_SCREENSHOTS=1 (`make screenshots`) to docs/screenshots/ for the README.

The desk starts empty, as a newcomer's does: the first admin is made through the setup
address the server prints, in the browser; the admin's API token (from the management CLI)
then adds the other people. Every tab signs in through the real login page. The app sends its
mail to a real SMTP server of the tests (`mailbox`), where a test reads what arrived.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.served_app import ROOT, served_app
from tests.support.mail_server import SmtpServer
from tests.support.oidc_provider import oidc_provider

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


PASSWORD = "correct horse battery staple"
ADMIN = {"name": "Ada Admin", "email": "ada@example.com"}
PEOPLE = {  # who else works at the desk, by the name the tests use
    "agent": {"name": "Alan Agent", "email": "alan@example.com", "role": "agent"},
    "agent_b": {"name": "Bea Agent", "email": "bea@example.com", "role": "agent"},
    "requester": {"name": "Rita Requester", "email": "rita@example.com", "role": "requester"},
    "requester_b": {"name": "Rob Requester", "email": "rob@example.com", "role": "requester"},
}


class Api:
    """The REST API of the running app, as another system would call it with a token."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers with lower-case names, JSON body or None), not raising on errors."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {self.token}",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                headers = {key.lower(): value for key, value in response.headers.items()}
                return response.status, headers, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            headers = {key.lower(): value for key, value in error.headers.items()}
            return error.code, headers, json.loads(raw) if raw else None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, _, answer = self.call(method, path, body)
        assert status < 400, f"{method} {path}: {status} {answer}"
        return answer

    def create(self, title: str, description: str | None = None, **fields: str) -> dict[str, Any]:
        body = {"title": title, "description": description or f"{title}. Details inside.", **fields}
        return self._call("POST", "/api/tickets/", body)

    def get(self, ticket_id: int) -> dict[str, Any]:
        return self._call("GET", f"/api/tickets/{ticket_id}/")

    def patch(self, ticket_id: int, **fields: str) -> dict[str, Any]:
        return self._call("PATCH", f"/api/tickets/{ticket_id}/", fields)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/api/tickets/stats/")

    def comment(self, ticket_id: int, body: str, public: bool = True) -> dict[str, Any]:
        return self._call(
            "POST", f"/api/tickets/{ticket_id}/comments/", {"body": body, "public": public}
        )

    def history(self, ticket_id: int) -> list[dict[str, Any]]:
        return self._call("GET", f"/api/tickets/{ticket_id}/history/?limit=200")


@pytest.fixture(scope="session")
def mailbox() -> Iterator[SmtpServer]:
    """The SMTP server the app sends to (SMTP_URL): what it received, for the tests to read."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sso_issuer() -> Iterator[str]:
    """The company's OpenID provider (a real provider process on loopback) the app's single
    sign-on goes to; its people in the `support` group are agents, other colleagues at
    example.com requesters."""
    with oidc_provider() as issuer:
        yield issuer


@pytest.fixture(scope="session")
def app_url(
    tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpServer, sso_issuer: str
) -> Iterator[str]:
    """Start the app once per session and return its origin."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    sso = {
        "OIDC_ISSUER": sso_issuer,
        "OIDC_CLIENT_ID": "support-desk",
        "OIDC_CLIENT_SECRET": "browser-tests",
        "OIDC_NAME": "Company ID",
        "OIDC_ALLOWED_DOMAINS": "example.com",
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ROLE_MAP": "support=agent",
    }
    mail = {"SMTP_URL": mailbox.url, "MAIL_POLL_SECONDS": "0.2"}
    with served_app(data_dir, **sso, **mail) as app:
        _APP_ENV.update(
            DATA_DIR=str(data_dir),
            DATABASE_URL=f"sqlite:///{data_dir / 'tickets.db'}",
            LOG=str(app.log_path),
        )
        yield app.url


def _manage(_app_url: str, *arguments: str) -> str:
    """Run the management CLI against the app's database; its standard output."""
    env = {**os.environ, **_APP_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "ticket_app.manage", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


_APP_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def setup_address(app_url: str) -> str:
    """The first-admin address the server printed at start (the newcomer's first step)."""
    log = Path(_APP_ENV["LOG"]).read_text(errors="replace")
    found = re.search(r"No admin yet: open (\S+/setup\?token=[0-9a-f]{64})", log)
    assert found, f"the server printed no setup address:\n{log[-2000:]}"
    return found[1]


@pytest.fixture(scope="session")
def api(browser: Browser, app_url: str, setup_address: str) -> Api:
    """The admin's API client: the admin is created through the setup page in a browser,
    then gets a token from the management CLI and adds the other people."""
    context = browser.new_context(base_url=app_url)
    page = context.new_page()
    page.goto(setup_address)
    page.get_by_label("Your name").fill(ADMIN["name"])
    page.get_by_label("Email").fill(ADMIN["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create the admin account").click()
    expect(page.get_by_role("link", name=re.compile("^Signed in as Ada Admin"))).to_be_visible()
    context.close()
    admin = Api(
        app_url, _manage(app_url, "create-token", ADMIN["email"], "--name", "browser tests")
    )
    for person in PEOPLE.values():
        admin._call("POST", "/api/users/", {**person, "password": PASSWORD})
    return admin


def api_as(app_url: str, who: str) -> Api:
    """An API client acting as one of PEOPLE (a token of their own)."""
    return Api(app_url, _manage(app_url, "create-token", PEOPLE[who]["email"], "--name", "tests"))


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


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the login page the browser is on."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def open_page(browser: Browser, app_url: str, seeded: list[dict[str, Any]]) -> Iterator[Any]:
    """`open_page(path, width=1280, who="admin")`: a new browser (its own cookies) signed in
    through the login page as `who` (the admin or one of PEOPLE), at `path`."""
    contexts = []

    def open_(path: str, width: int = 1280, who: str = "admin") -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            base_url=app_url,
            locale="en-US",
        )
        context.set_default_timeout(STEP_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/login"))  # every page needs a session first
        sign_in(page, ADMIN["email"] if who == "admin" else PEOPLE[who]["email"])
        expect(page).not_to_have_url(re.compile(r"/login"))
        expect(page.get_by_role("banner")).to_be_visible()
        return page

    yield open_
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a PNG of the page (for the README with UPDATE_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let toasts and charts settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def ticket_rows(page: Page) -> Any:
    """The rows of the ticket list (not the saved views beside it)."""
    return page.get_by_role("list", name="Tickets").get_by_role("listitem")
