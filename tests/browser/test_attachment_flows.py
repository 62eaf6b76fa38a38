"""Attachments in the browser (issue 25): an agent drops and pastes screenshots on the reply
box and sees them as thumbnails that open large; a requester downloads the agent's PDF."""

import base64
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.files import PDF, png

from .conftest import api_as, screenshot

pytestmark = pytest.mark.browser

LIVE_WITHIN = 5_000  # ms


def timeline(page: Page):
    return page.get_by_role("list", name="What happened, newest first")


def drop(page: Page, selector: str, name: str, content: bytes, mime: str) -> None:
    """Drop a file on an element, as a file dragged from the desktop."""
    data = page.evaluate_handle(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mime}));
            return transfer;
        }""",
        [name, base64.b64encode(content).decode(), mime],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": data})


def paste(page: Page, selector: str, content: bytes, mime: str) -> None:
    """Paste an image (a screenshot on the clipboard) into an element."""
    page.evaluate(
        """([selector, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "image.png", {type: mime}));
            const event = new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true});
            document.querySelector(selector).dispatchEvent(event);
        }""",
        [selector, base64.b64encode(content).decode(), mime],
    )


def test_an_agent_drops_and_pastes_screenshots_and_opens_one(open_page, app_url):
    word = uuid.uuid4().hex[:8]
    ticket = api_as(app_url, "requester").create(f"Dashboard shows nothing ({word})")
    alan = open_page(f"/tickets/{ticket['id']}", who="agent")
    expect(alan.get_by_text("Up to 10 files")).to_be_visible()  # the limits, before upload

    drop(alan, "#reply-files", "screenshot.png", png(800, 500, "navy"), "image/png")
    chosen = alan.get_by_label("Files to send")
    expect(chosen.get_by_text("screenshot.png")).to_be_visible()
    paste(alan, "#reply", png(300, 200, "orange"), "image/png")
    expect(chosen.get_by_text(re.compile(r"pasted-\d+-1\.png"))).to_be_visible()

    alan.locator("#reply").fill(f"Here is what I see ({word}).")
    alan.get_by_role("button", name="Send reply").click()
    expect(alan.get_by_text("Reply sent.")).to_be_visible()
    expect(chosen.get_by_text("screenshot.png")).to_have_count(0)  # the zone was emptied

    thumbnails = timeline(alan).get_by_role("img")
    expect(thumbnails).to_have_count(2)
    expect(timeline(alan).get_by_role("img", name="screenshot.png")).to_be_visible()
    assert alan.evaluate(
        "() => [...document.querySelectorAll('img[alt=\"screenshot.png\"]')]"
        ".every((img) => img.complete && img.naturalWidth === 320)"
    )
    timeline(alan).get_by_role("button", name="screenshot.png").click()
    large = alan.get_by_role("dialog").get_by_role("img", name="screenshot.png")
    expect(large).to_be_visible()
    alan.wait_for_function(
        "() => document.querySelector('[role=dialog] img')?.naturalWidth === 800"
    )
    screenshot(alan, "attachment-open")


def test_a_requester_downloads_the_agents_pdf(open_page, app_url):
    word = uuid.uuid4().hex[:8]
    ticket = api_as(app_url, "requester").create(f"Invoice copy please ({word})")
    url = f"/tickets/{ticket['id']}"
    alan = open_page(url, who="agent")
    alan.locator("#reply-files input[type=file]").set_input_files(
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    alan.locator("#reply").fill("The invoice is attached.")
    alan.get_by_role("button", name="Send reply").click()
    expect(alan.get_by_text("Reply sent.")).to_be_visible()

    rita = open_page(url, who="requester")
    link = timeline(rita).get_by_role("link", name="invoice.pdf")
    expect(link).to_be_visible(timeout=LIVE_WITHIN)
    expect(timeline(rita).get_by_text(re.compile(r"PDF · \d+ bytes"))).to_be_visible()
    with rita.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename == "invoice.pdf"
    assert Path(download.path()).read_bytes() == PDF

    answer = rita.request.get(link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    stranger = open_page(url, who="requester_b")  # the same link, someone else's session
    assert stranger.request.get(link.get_attribute("href")).status == 404
