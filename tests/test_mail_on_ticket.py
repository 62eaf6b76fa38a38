"""What staff see of a ticket's mail (issue 24): the staff-only history line saying how each
received message was threaded ("arrived by mail, matched by References"; a forged subject tag
gives a new ticket with the reason), the ticket's origin and mail thread, and the original
message downloaded with the browser's session. Requesters see none of it, through the API or
the page's own reads."""

from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.mail_corpus import SEED
from tests.support.mails import message

CARLA = "carla@customer.example"


def ingest(raw: bytes) -> Any:
    from ticket_app.models import InboundSource
    from ticket_app.services import inbound

    return inbound.ingest(raw=raw, source=InboundSource.PIPE)


@pytest.fixture
def carla(make_person) -> Any:
    """The requester who writes to the desk (known already, so she has an API token)."""
    return make_person("requester", "Carla Customer", email=CARLA)


def _mail_lines(client: Any, ticket_id: int) -> list[str]:
    answer = client.get(f"/api/tickets/{ticket_id}/history/")
    assert answer.status_code == 200, answer.text
    return [entry["new_value"] for entry in answer.json() if entry["kind"] == "mail"]


def _receipt_id(engine: Any, ticket_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT message_id FROM mail_outbox WHERE ticket_id = :t AND recipient = :r"),
            {"t": ticket_id, "r": CARLA},
        ).scalar_one()


def _reply_by_references(number: int, references: str) -> bytes:
    return message(
        number,
        sender=CARLA,
        subject="Re: still broken",
        headers=(
            f"In-Reply-To: <unknown-{number}@elsewhere.example>\r\nReferences: {references}\r\n"
        ),
    )


def test_staff_read_how_each_mail_was_threaded_and_the_requester_does_not(
    engine, api, agent, carla
):
    created = ingest(SEED)
    ticket = created.ticket_id
    reply = ingest(_reply_by_references(1, _receipt_id(engine, ticket)))

    assert (created.action, reply.action) == ("created", "appended")
    lines = _mail_lines(api(agent), ticket)
    assert lines[0].startswith("arrived by mail: a new ticket")
    assert "1 Cc'd people added as participants" in lines[0]
    assert lines[1] == "arrived by mail, matched by References"
    history = api(agent).get(f"/api/tickets/{ticket}/history/").json()
    kinds = [entry["kind"] for entry in history]
    assert kinds.index("mail") == kinds.index("created") + 1  # written with the ticket
    assert history[kinds.index("mail")]["actor"]["name"] == "Carla Customer"

    as_requester = api(carla).get(f"/api/tickets/{ticket}/history/")
    assert as_requester.status_code == 200
    assert "mail" not in {entry["kind"] for entry in as_requester.json()}
    assert "arrived by mail" not in as_requester.text
    assert int(as_requester.headers["x-total-count"]) == len(as_requester.json())


def test_a_forged_subject_tag_opens_a_new_ticket_that_says_why(engine, api, agent, carla):
    target = ingest(SEED).ticket_id
    forged = ingest(
        message(7, sender="mallory@evil.example", subject=f"Re: [#{target}] Printer on floor 3")
    )

    assert forged.action == "created"
    assert forged.ticket_id != target
    (line,) = _mail_lines(api(agent), forged.ticket_id)
    assert line.startswith("arrived by mail: a new ticket")
    assert f"it names #{target} by the subject tag [#{target}]" in line
    assert "mallory@evil.example is not one of its participants" in line
    assert len(_mail_lines(api(agent), target)) == 1  # the target got nothing of it
    assert api(agent).get(f"/api/tickets/{target}/comments/").json() == []


def test_nothing_of_a_mail_is_written_when_its_ticket_is_not(engine, monkeypatch):
    """The line goes with the ticket: a failure after the ticket's insert leaves neither."""
    from ticket_app.services import inbound

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound, "_remember", broken)
    held = ingest(SEED)

    assert held.action == "quarantined"
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM ticket_history")).scalar_one()
    assert count == 0


def test_the_page_reads_the_history_line_for_staff_only(engine, agent, carla):
    """The ticket page's own timeline read (the service the UI state calls)."""
    from ticket_app.services import timeline
    from ticket_app.ui.viewmodels.timeline import to_items

    ticket = ingest(SEED).ticket_id

    def items(person: Any) -> list[Any]:
        page = timeline.timeline(person.actor, ticket_id=ticket, limit=30, newest_first=True)
        return to_items(page.entries, page.files)

    staff = [item for item in items(agent) if item.kind == "mail"]
    assert len(staff) == 1
    assert staff[0].summary.startswith("arrived by mail: a new ticket")
    assert staff[0].internal
    assert [item.kind for item in items(carla)] == ["created"]


def test_staff_read_the_origin_and_the_thread_in_order(engine, agent, carla):
    from ticket_app.services import mail_thread

    ticket = ingest(SEED).ticket_id
    ingest(_reply_by_references(1, _receipt_id(engine, ticket)))

    found = mail_thread.ticket_mail(agent.actor, ticket_id=ticket)

    assert found.origin is not None
    assert (found.origin.sender, found.origin.state) == (CARLA, "created")
    directions = [(mail.inbound, mail.state) for mail in found.thread]
    assert directions[0] == (True, "created")
    assert (True, "appended") in directions
    sent = [mail for mail in found.thread if not mail.inbound]
    assert any(mail.recipient == CARLA and mail.kind == "ticket_received" for mail in sent)
    assert all(mail.state == "queued" for mail in sent)
    assert [mail.at for mail in found.thread] == sorted(mail.at for mail in found.thread)
    appended = next(mail for mail in found.thread if mail.state == "appended")
    assert appended.note == "arrived by mail, matched by References"


def test_requesters_cannot_read_a_tickets_mail_thread(engine, carla):
    from ticket_app.services import mail_thread
    from ticket_app.services.errors import Forbidden, NotFound

    ticket = ingest(SEED).ticket_id

    with pytest.raises(Forbidden):
        mail_thread.ticket_mail(carla.actor, ticket_id=ticket)
    with pytest.raises(NotFound):
        mail_thread.ticket_mail(_staff(engine), ticket_id=ticket + 1000)


def _staff(engine: Any) -> Any:
    from ticket_app.domain import Role
    from ticket_app.services.access import Actor

    return Actor(id=1, email="nobody@example.com", name="Nobody", role=Role.AGENT)


def test_the_original_downloads_with_a_staff_session_only(engine, api, agent, carla):
    from ticket_app.services import sessions

    ingest(SEED)
    with engine.connect() as connection:
        mail_id = connection.execute(sa.text("SELECT id FROM inbound_mails")).scalar_one()
    url = f"/download/mail/{mail_id}"

    signed_out = api()
    assert signed_out.get(url, follow_redirects=False).headers["location"] == "/login"
    staff = api()
    staff.cookies.set(sessions.COOKIE_NAME, sessions.start(agent.actor))
    download = staff.get(url)
    assert download.status_code == 200
    assert download.content == SEED
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == f'attachment; filename="mail-{mail_id}.eml"'

    requester = api()
    requester.cookies.set(sessions.COOKIE_NAME, sessions.start(carla.actor))
    refused = requester.get(url)
    assert refused.status_code == 403
    assert b"seed-1@customer.example" not in refused.content
    assert staff.get("/download/mail/99999").status_code == 404


def _outgoing(engine: Any, ticket_id: int, kind: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT in_reply_to, thread_references FROM mail_outbox"
                " WHERE ticket_id = :t AND recipient = :r AND kind = :k ORDER BY id DESC"
            ),
            {"t": ticket_id, "r": CARLA, "k": kind},
        ).first()


def test_an_agents_reply_threads_under_the_mail_the_requester_wrote(engine, api, agent, carla):
    ticket = ingest(SEED).ticket_id
    answered = api(agent).post(f"/api/tickets/{ticket}/comments/", json={"body": "On it."})
    assert answered.status_code == 201, answered.text

    first = _outgoing(engine, ticket, "public_reply")
    assert "<seed-1@customer.example>" in first.thread_references.split()

    again = ingest(message(3, sender=CARLA, subject=f"Re: [#{ticket}] Printer on floor 3"))
    assert again.action == "appended"
    api(agent).post(f"/api/tickets/{ticket}/comments/", json={"body": "Fixed now."})

    second = _outgoing(engine, ticket, "public_reply")
    assert second.in_reply_to == "<m3@customer.example>"  # the mail she wrote last
    chain = second.thread_references.split()
    assert chain.index("<seed-1@customer.example>") < chain.index("<m3@customer.example>")
