"""Mail on the ticket page and the admins' quarantine in a real browser (issue 24): a mail
delivered through the pipe becomes a ticket whose page shows staff where it came from, the
original message to download and the mail thread; the agent's reply goes back out threaded
under the requester's own message; the requester sees none of the staff's mail panel. Admins
reprocess, download and delete held mail on /admin/mail."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.served_app import ROOT
from tests.support.mail_server import SmtpServer, body

from .conftest import _APP_ENV, PEOPLE

pytestmark = pytest.mark.browser

RITA = PEOPLE["requester"]["email"]


def deliver(raw: bytes, **env: str) -> dict[str, Any]:
    """One message through the pipe, as a mail server's pipe transport delivers it."""
    done = subprocess.run(
        [sys.executable, "-m", "ticket_app.manage", "ingest-mail"],
        cwd=ROOT,
        env={**os.environ, **_APP_ENV, **env},
        input=raw,
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def mail(word: str, subject: str, text: str) -> tuple[str, bytes]:
    """(its Message-ID, the message) from Rita's mail client."""
    message_id = f"<{word}@rita-laptop.example>"
    raw = (
        f"From: Rita Requester <{RITA}>\r\nTo: support@localhost\r\nSubject: {subject}\r\n"
        f"Date: Mon, 07 Dec 2026 09:00:00 +0100\r\nMessage-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    )
    return message_id, raw.encode()


def arrived(mailbox: SmtpServer, address: str, text: str, timeout: float = 20) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sent in mailbox.recorder.to(address):
            if text in body(sent, "plain"):
                return sent
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} saying {text!r}")


def panel(page: Page) -> Any:
    return page.locator("#ticket-mail")


def test_a_mailed_ticket_shows_staff_its_origin_original_and_thread(open_page, mailbox: SmtpServer):
    word = uuid.uuid4().hex[:8]
    title = f"Scanner jams on every page ({word})"
    message_id, raw = mail(word, title, "The scanner on floor 2 jams on every page.")
    created = deliver(raw)
    assert created["action"] == "created"
    ticket = created["ticket_id"]

    alan = open_page(f"/tickets/{ticket}", who="agent")
    expect(alan.get_by_role("heading", name=title)).to_be_visible()
    origin = alan.locator("#mail-origin")
    expect(origin).to_contain_text(f"Arrived by mail from {RITA}")
    expect(origin).to_contain_text(re.compile(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    thread = alan.get_by_role("list", name="Mail thread, oldest first").get_by_role("listitem")
    expect(thread.first).to_contain_text("Received")
    expect(thread.first).to_contain_text("Opened this ticket")
    expect(thread.first).to_contain_text("arrived by mail: a new ticket")
    expect(thread.filter(has_text="receipt")).to_contain_text(f"to {RITA}")
    history = alan.get_by_role("list", name="What happened, newest first")
    expect(history.get_by_text("arrived by mail: a new ticket")).to_be_visible()

    link = origin.get_by_role("link", name="Original message (.eml)")
    href = link.get_attribute("href")
    with alan.expect_download() as waiting:
        link.click()
    original = Path(waiting.value.path()).read_bytes()
    assert message_id.encode() in original
    assert original == raw

    reply = f"Please try the feeder on the left ({word})."
    alan.locator("#reply").fill(reply)
    alan.get_by_role("button", name="Send reply").click()
    expect(alan.get_by_text("Reply sent.")).to_be_visible()
    answer = arrived(mailbox, RITA, reply)
    assert message_id in str(answer["References"]).split()
    assert answer["In-Reply-To"] is not None
    panel(alan).get_by_role("button", name="Refresh").click()
    expect(thread.filter(has_text="Sent").filter(has_text="reply")).to_have_count(1)

    rita = open_page(f"/tickets/{ticket}", who="requester")
    expect(rita.get_by_role("heading", name=title)).to_be_visible()
    expect(rita.get_by_text(reply)).to_be_visible()  # the page has loaded her conversation
    expect(panel(rita)).to_have_count(0)
    expect(rita.get_by_text("Arrived by mail")).to_have_count(0)
    expect(rita.get_by_text("arrived by mail")).to_have_count(0)
    expect(rita.get_by_role("link", name=re.compile(r"\.eml"))).to_have_count(0)
    refused = rita.request.get(href)  # her own session, the staff's link
    assert refused.status == 403
    assert message_id.encode() not in refused.body()


def held(word: str) -> tuple[str, str, bytes]:
    """(subject, Message-ID, message) of a mail over a 1 KiB limit."""
    subject = f"Crash logs {word}"
    message_id, raw = mail(word, subject, "log line\r\n" * 200)
    return subject, message_id, raw


def test_admins_reprocess_download_and_delete_held_mail(open_page):
    word = uuid.uuid4().hex[:8]
    kept_subject, kept_id, kept_raw = held(f"kept-{word}")
    gone_subject, _, gone_raw = held(f"gone-{word}")
    for raw in (kept_raw, gone_raw):
        assert deliver(raw, MAIL_MAX_BYTES="1024")["action"] == "quarantined"

    ada = open_page("/admin/mail")
    kept = ada.get_by_role("row").filter(has_text=kept_subject)
    gone = ada.get_by_role("row").filter(has_text=gone_subject)
    expect(kept).to_contain_text("larger than MAIL_MAX_BYTES")
    expect(kept).to_contain_text(RITA)
    expect(kept).to_contain_text("2.2 KiB")

    with ada.expect_download() as waiting:
        kept.get_by_role("link", name=re.compile(r"^Download message \d+$")).click()
    assert kept_id.encode() in Path(waiting.value.path()).read_bytes()

    kept.get_by_role("button", name=re.compile(r"^Reprocess message \d+$")).click()
    expect(ada.get_by_text(re.compile(r"was reprocessed: created \(ticket #\d+\)"))).to_be_visible()
    expect(kept).to_have_count(0)

    gone.get_by_role("button", name=re.compile(r"^Delete message \d+$")).click()
    dialog = ada.get_by_role("alertdialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Delete message").click()
    expect(ada.get_by_text(re.compile(r"^Mail \d+ was deleted\.$"))).to_be_visible()
    expect(gone).to_have_count(0)
