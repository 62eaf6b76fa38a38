"""The ticket page's mail panel state: staff get the origin and the thread, a requester (the
very person who wrote the mail) gets nothing, and an id the browser made up reads nothing."""

from typing import Any

from tests.support.mail_corpus import SEED
from ticket_app.ui.state.ticket_mail import TicketMailState

from .conftest import at_url, new, run


def ingest(raw: bytes) -> Any:
    from ticket_app.models import InboundSource
    from ticket_app.services import inbound

    return inbound.ingest(raw=raw, source=InboundSource.PIPE)


def opened(path: str) -> TicketMailState:
    state = at_url(new(TicketMailState), path)
    run(TicketMailState.load, state)
    return state


def test_staff_get_the_origin_and_the_thread():
    ticket = ingest(SEED).ticket_id
    state = opened(f"/tickets/{ticket}")
    assert state.origin.sender == "carla@customer.example"
    assert state.origin.href.startswith("/download/mail/")
    first = state.mail_lines[0]
    assert (first.direction, first.state_label) == ("Received", "Opened this ticket")
    assert first.note.startswith("arrived by mail: a new ticket")
    assert any(line.direction == "Sent" and line.kind == "receipt" for line in state.mail_lines)


def test_the_requester_who_wrote_it_gets_nothing(make_person, sign_in):
    carla = make_person("requester", "Carla Customer", email="carla@customer.example")
    ticket = ingest(SEED).ticket_id
    sign_in(carla)
    state = opened(f"/tickets/{ticket}")
    assert state.origin.sender == ""
    assert state.mail_lines == []


def test_a_made_up_id_reads_nothing():
    ingest(SEED)
    for path in ("/tickets/abc", "/tickets/99999999999999", "/tickets/-1", "/tickets/424242"):
        state = opened(path)
        assert (state.origin.sender, state.mail_lines) == ("", [])
