"""Notifications in a real browser (issue 23): the bell follows an assignment made elsewhere
while the page itself does not change, and a requester reaches their ticket from a mail."""

import re
import time
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.mail_server import SmtpServer, body

from .conftest import PEOPLE, Api, api_as

pytestmark = pytest.mark.browser

LIVE_WITHIN = 5_000  # ms: the promise for changes made elsewhere
LINK = re.compile(r"https?://\S+/auth/link\?token=\S+")


def user_id(api: Api, who: str) -> int:
    people = api._call("GET", "/api/users/")
    return next(person["id"] for person in people if person["email"] == PEOPLE[who]["email"])


def unread(page: Page) -> int:
    label = page.locator("#bell").get_attribute("aria-label") or ""
    found = re.search(r"(\d+) unread", label)
    return int(found[1]) if found else 0


def bell_says(page: Page, count: int) -> None:
    words = f"{count} unread" if count else "none unread"
    expect(page.locator("#bell")).to_have_attribute(
        "aria-label", f"Notifications, {words}", timeout=LIVE_WITHIN
    )


def test_the_bell_rings_live_when_a_colleague_assigns_a_ticket(open_page, api: Api):
    quiet = api.create(f"Nobody touches this ({uuid.uuid4().hex[:6]})")
    page = open_page(f"/tickets/{quiet['id']}", who="agent")
    expect(page.get_by_role("heading", name=quiet["title"])).to_be_visible()
    before = unread(page)
    title = f"Projector in room 4 ({uuid.uuid4().hex[:6]})"
    ticket = api.create(title)
    api.patch(ticket["id"], assignee_id=user_id(api, "agent"))
    bell_says(page, before + 1)  # the page shown did not change; its bell did

    page.locator("#bell").click()
    page.get_by_role("menuitem", name=re.compile(re.escape(title))).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket['id']}$"))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    bell_says(page, before)  # opening the ticket read it


def mail_to(mailbox: SmtpServer, address: str, subject: str, timeout: float = 15) -> str:
    """The plain text of the first mail to `address` whose subject starts with `subject`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in mailbox.recorder.to(address):
            if str(mail["Subject"]).startswith(subject):
                return body(mail, "plain")
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} about {subject!r}")


def test_a_requester_reaches_their_ticket_from_the_mail(
    browser: Browser, app_url: str, api: Api, mailbox: SmtpServer
):
    requester = api_as(app_url, "requester")
    ticket = requester.create(f"Badge does not open the door ({uuid.uuid4().hex[:6]})")
    reply = "Your badge works again: try the side door."
    api_as(app_url, "agent").comment(ticket["id"], reply)
    text = mail_to(mailbox, PEOPLE["requester"]["email"], f"[#{ticket['id']}]")
    assert reply in text
    link = LINK.search(text)
    assert link, text

    context = browser.new_context(base_url=app_url)  # no session: signed in by the link
    try:
        page = context.new_page()
        page.goto(link[0])
        page.get_by_role("button", name="Sign in and open my request").click()
        expect(page).to_have_url(re.compile(rf"/tickets/{ticket['id']}$"))
        expect(page.get_by_role("heading", name=ticket["title"])).to_be_visible()
        expect(page.get_by_text(reply)).to_be_visible()
        page.goto(link[0])  # one use only
        page.get_by_role("button", name="Sign in and open my request").click()
        expect(page).to_have_url(re.compile(r"/login/?\?error=link"))
    finally:
        context.close()
