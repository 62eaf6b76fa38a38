"""Files from the browser (issue 25): the upload handlers of the reply box and the new-ticket
form hand the browser's files to the same services as the API, so its limits, sniffing and
visibility rules hold unchanged; refusals are said in the upload zone, nothing half-written."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
import reflex as rx

from tests.conftest import reset_caches
from tests.support.files import PDF, png
from ticket_app.services import comments, tickets
from ticket_app.services.schemas import TicketFilters
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.form import FormState

from .conftest import at_url, new, run, spec_args, toast_text

FILE_LIMIT = 64 * 1024
MESSAGE_LIMIT = 160 * 1024


@pytest.fixture(autouse=True)
def limits(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ATTACHMENT_MAX_BYTES", str(FILE_LIMIT))
    monkeypatch.setenv("ATTACHMENT_MAX_MESSAGE_BYTES", str(MESSAGE_LIMIT))
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


def upload(name: str, content: bytes) -> rx.UploadFile:
    """A file as Reflex's upload endpoint hands it to a handler."""
    return rx.UploadFile(file=io.BytesIO(content), path=Path(name), size=len(content))


def opened(ticket_id: int) -> DetailState:
    state = at_url(new(DetailState), f"/tickets/{ticket_id}")
    run(DetailState.load, state)
    return state


def reply(state: DetailState, text: str, *files: rx.UploadFile) -> Any:
    return run(DetailState.send_reply_with_files, state, list(files), {"reply": text})


def shown(state: Any) -> str:
    """Everything the page's state would send to the browser, as text."""
    return json.dumps(state.dict(), default=str)


def test_a_screenshot_on_a_reply_shows_as_a_thumbnail_under_it(make_ticket):
    ticket = make_ticket()
    state = opened(ticket.id)
    events = reply(state, "See the screenshot.", upload("screen shot.png", png()))
    assert "Reply sent" in toast_text(events[-1])
    assert state.files_error == ""
    entry = state.items[0]
    assert entry.body_parts[0]["text"] == "See the screenshot."
    (file,) = entry.files
    assert file.name == "screen shot.png"
    assert file.kind == "PNG image"
    assert file.href == f"/download/attachments/{file.id}"
    assert file.thumbnail == f"/download/attachments/{file.id}/thumbnail"
    cleared = [spec_args(event) for event in events[:-1]]
    assert any("reply-files" in str(args) for args in cleared)  # the zone is emptied


def test_a_pdf_is_a_name_a_type_and_a_size_to_download(make_ticket):
    ticket = make_ticket()
    state = opened(ticket.id)
    reply(state, "The invoice.", upload("invoice.pdf", PDF))
    (file,) = state.items[0].files
    assert (file.name, file.kind, file.size, file.thumbnail) == (
        "invoice.pdf",
        "PDF",
        f"{len(PDF)} bytes",
        "",
    )


def test_a_reply_without_files_goes_through_the_upload_handler_too(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    reply(state, "Just text.")
    assert state.items[0].files == []
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 1


def test_eleven_files_are_refused_and_nothing_is_written(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    files = [upload(f"log-{n}.txt", b"line\n") for n in range(11)]
    assert reply(state, "Eleven logs.", *files) is None
    assert state.files_error == "Nothing was sent: at most 10 files a message (got 11)."
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0
    assert not state.sending


def test_a_file_over_the_limit_is_refused_naming_the_limit(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    assert reply(state, "Big log.", upload("big.log", b"x" * (FILE_LIMIT + 1))) is None
    assert state.files_error == (
        "big.log is larger than ATTACHMENT_MAX_BYTES, the limit of 65,536 bytes (0.0625 MiB)"
        " a file."
    )
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0


def test_files_over_the_message_limit_together_are_refused(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    files = [upload(f"part-{n}.bin", bytes([n]) * FILE_LIMIT) for n in range(3)]
    assert reply(state, "Three parts.", *files) is None
    assert "ATTACHMENT_MAX_MESSAGE_BYTES" in state.files_error
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0


def test_files_cannot_go_on_someone_elses_ticket(make_ticket, make_person, sign_in, viewer):
    rita, sam = make_person("requester", "Rita"), make_person("requester", "Sam")
    ticket = make_ticket("Rita's", by=rita)
    sign_in(sam)
    state = at_url(new(DetailState), f"/tickets/{ticket.id}")
    state._ticket_id, state.found = ticket.id, True  # a hostile tab posts to her ticket
    event = reply(state, "Mine now.", upload("shot.png", png()))
    assert "error" in toast_text(event)
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0


def test_a_notes_files_reach_staff_only_not_even_by_name(make_ticket, make_person, sign_in):
    rita = make_person("requester", "Rita")
    ticket = make_ticket("Rita's", by=rita)
    staff = opened(ticket.id)
    run(DetailState.set_internal, staff, True)
    reply(staff, "Her account export.", upload("vip-export.csv", b"id,name\n1,Rita\n"))
    run(DetailState.set_internal, staff, False)
    reply(staff, "Here is the fix.", upload("fix.pdf", PDF))
    assert [file.name for item in staff.items[:2] for file in item.files] == [
        "fix.pdf",
        "vip-export.csv",
    ]
    sign_in(rita)
    state = opened(ticket.id)
    assert [file.name for item in state.items for file in item.files] == ["fix.pdf"]
    assert "vip-export" not in shown(state)


def test_a_requester_attaches_a_screenshot_to_a_new_ticket(make_person, sign_in):
    rita = make_person("requester", "Rita")
    sign_in(rita)
    state = at_url(new(FormState), "/")
    form = {"title": "Login fails", "description": "The page shows an error, see the shot."}
    events = run(FormState.submit_with_files, state, [upload("error.png", png())], form)
    assert "created" in toast_text(events[-1])
    created = tickets.get_ticket(rita.actor, ticket_id=state.created_id)
    (file,) = created.attachments
    assert (file.filename, file.content_type, file.thumbnail) == ("error.png", "image/png", True)
    detail = opened(created.id)
    assert [f.name for f in detail.ticket.files] == ["error.png"]  # shown with the description


def test_a_new_ticket_over_the_limit_is_not_created(viewer):
    state = at_url(new(FormState), "/")
    form = {"title": "Huge log", "description": "Attached the whole server log for you."}
    big = upload("server.log", b"x" * (FILE_LIMIT + 1))
    assert run(FormState.submit_with_files, state, [big], form) is None
    assert "ATTACHMENT_MAX_BYTES" in state.files_error
    assert state.created_id == 0
    assert not state.submitting
    assert tickets.list_tickets(viewer.actor, filters=TicketFilters(), limit=10).total == 0


def test_a_new_ticket_without_files_is_saved_in_the_background():
    state = at_url(new(FormState), "/")
    form = {"title": "No files", "description": "Nothing to attach to this one."}
    assert run(FormState.submit_with_files, state, [], form) == FormState.save
    assert state.submitting


def test_the_zone_says_its_limits_and_why_it_refused_a_file():
    state = new(DetailState)
    assert state.files_limits == "Up to 10 files, 64.0 KiB each, 160.0 KiB together."
    run(
        DetailState.files_rejected,
        state,
        [{"file": {"path": "./huge.mov"}, "errors": [{"code": "file-too-large"}]}],
    )
    assert state.files_error.startswith("huge.mov is larger than ATTACHMENT_MAX_BYTES")
    many = [
        {"file": {"path": f"{n}.png"}, "errors": [{"code": "too-many-files"}]} for n in range(12)
    ]
    run(DetailState.files_rejected, state, many)
    assert state.files_error == "Nothing was sent: at most 10 files a message (got 12)."


def test_upload_progress_shows_until_the_message_is_sent(make_ticket):
    state = opened(make_ticket().id)
    run(DetailState.upload_progressed, state, {"loaded": 50, "total": 100, "progress": 0.5})
    assert (state.uploading, state.upload_percent) == (True, 50)
    run(DetailState.upload_progressed, state, {"progress": "lots"})
    assert state.upload_percent == 50
    reply(state, "Done.", upload("a.txt", b"hello\n"))
    assert (state.uploading, state.upload_percent) == (False, 0)


def test_comments_service_sees_the_same_files(make_ticket, viewer):
    ticket = make_ticket()
    state = opened(ticket.id)
    reply(state, "Log attached.", upload("app.log", b"ERROR boom\n"))
    page = comments.list_comments(viewer.actor, ticket_id=ticket.id, limit=10)
    assert [f.filename for f in page.items[0].attachments] == ["app.log"]


@pytest.mark.parametrize("files", ["1", None, {"reply": "hi"}, ["shot.png"], [{"file": "x"}]])
def test_files_that_did_not_come_from_the_upload_endpoint_do_nothing(make_ticket, viewer, files):
    """Any websocket client may call the upload handlers with whatever arguments."""
    ticket = make_ticket()
    state = opened(ticket.id)
    assert run(DetailState.send_reply_with_files, state, files, {"reply": "hi"}) is None
    form = at_url(new(FormState), "/")
    fields = {"title": "Sneaky", "description": "Not from the upload endpoint."}
    assert run(FormState.submit_with_files, form, files, fields) is None
    assert tickets.get_ticket(viewer.actor, ticket_id=ticket.id).comment_count == 0
    assert tickets.list_tickets(viewer.actor, filters=TicketFilters(), limit=10).total == 1
