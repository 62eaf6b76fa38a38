"""Mail coming in, beyond the corpus: the pipe (files, standard input, exit 75), the SMTP and
LMTP listener through smtplib (not a relay, 451 when it cannot store), the quarantine (30 MB,
unreadable; admins list, reprocess, delete; the health check counts it), the rate caps, the Cc
rule, reopening, and who may read received mail."""

import asyncio
import json
import os
import smtplib
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import reset_caches
from tests.support.database import count_rows
from tests.support.mail_corpus import SEED
from tests.support.mails import message

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD_DATABASE = "postgresql://nobody:x@127.0.0.1:1/nothing"


def ingest(raw: bytes) -> Any:
    from ticket_app.models import InboundSource
    from ticket_app.services import inbound

    return inbound.ingest(raw=raw, source=InboundSource.PIPE)


def _cli(database_url: str, *arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ticket_app.manage", "ingest-mail", *arguments],
        input=stdin,
        capture_output=True,
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=120,
    )


# --- The pipe ---------------------------------------------------------------------------------


def test_pipe_takes_a_file_and_standard_input_and_prints_json(database_url, engine, tmp_path):
    path = tmp_path / "mail.eml"
    path.write_bytes(message(1))

    first = _cli(database_url, str(path))
    again = _cli(database_url, stdin=message(1))

    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout)
    assert created["action"] == "created"
    assert isinstance(created["ticket_id"], int)
    duplicate = json.loads(again.stdout)
    assert (duplicate["action"], duplicate["ticket_id"]) == ("ignored", created["ticket_id"])
    assert "duplicate" in duplicate["reason"]
    assert again.returncode == 0
    assert count_rows(engine, "tickets") == 1


def test_pipe_exits_75_when_the_database_is_unreachable(database_url, tmp_path):
    path = tmp_path / "mail.eml"
    path.write_bytes(message(1))

    result = _cli(BAD_DATABASE, str(path))

    assert result.returncode == 75
    assert result.stdout == b""
    assert b"database cannot be reached" in result.stderr
    assert b"Traceback" not in result.stderr


def test_pipe_names_a_missing_file(database_url, tmp_path):
    result = _cli(database_url, str(tmp_path / "missing.eml"))
    assert result.returncode == 66
    assert b"cannot read" in result.stderr
    assert b"Traceback" not in result.stderr


# --- The quarantine ---------------------------------------------------------------------------


def big_message(size: int) -> bytes:
    """A message with an attachment that makes it `size` bytes or a little more."""
    mail = EmailMessage()
    mail["From"] = "Big Sender <big@customer.example>"
    mail["To"] = "support@localhost"
    mail["Subject"] = "Logs of the crash"
    mail["Message-ID"] = "<big-1@customer.example>"
    mail.set_content("The full logs are attached.")
    mail.add_attachment(os.urandom(size * 3 // 4), "application", "gzip", filename="logs.tar.gz")
    return mail.as_bytes()


def test_a_30_mb_message_is_quarantined_whole_and_an_admin_reprocesses_it(
    engine, api, admin, agent
):
    raw = big_message(30 * 1024 * 1024)
    assert len(raw) > 30 * 1024 * 1024

    held = ingest(raw)
    following = ingest(message(2))  # the next message is not blocked

    assert held.action == "quarantined"
    assert "larger than MAIL_MAX_BYTES" in held.reason
    assert following.action == "created"
    assert api().get("/api/health/").json()["mail_quarantine"] == 1
    listed = api(admin).get("/api/mail/quarantine/").json()["items"]
    assert [(item["sender"], item["subject"], item["size"]) for item in listed] == [
        ("big@customer.example", "Logs of the crash", len(raw))
    ]
    assert api(agent).get("/api/mail/quarantine/").status_code == 403

    done = api(admin).post(f"/api/mail/quarantine/{listed[0]['id']}/reprocess/")

    assert done.status_code == 200, done.text
    assert done.json()["action"] == "created"
    ticket = api(agent).get(f"/api/tickets/{done.json()['ticket_id']}/").json()
    assert "logs.tar.gz (22.5 MB)" in ticket["description"]
    assert api().get("/api/health/").json()["mail_quarantine"] == 0
    raw_download = api(agent).get(f"/api/mail/inbound/{listed[0]['id']}/raw/")
    assert raw_download.status_code == 200
    assert raw_download.headers["content-type"] == "application/octet-stream"
    assert raw_download.headers["content-disposition"].endswith('.eml"')
    assert raw_download.content == raw


def test_admins_delete_from_the_quarantine(engine, api, admin):
    held = ingest(b"\x00\x01 nothing readable \xff")
    assert held.action == "quarantined"
    item = api(admin).get("/api/mail/quarantine/").json()["items"][0]

    assert api(admin).delete(f"/api/mail/quarantine/{item['id']}/").status_code == 204

    assert api(admin).get("/api/mail/quarantine/").json()["items"] == []
    again = api(admin).delete(f"/api/mail/quarantine/{item['id']}/")
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"


def test_reprocessing_what_is_not_quarantined_is_refused(engine, api, admin):
    created = ingest(message(1))
    assert created.action == "created"
    with engine.connect() as connection:
        mail_id = connection.execute(sa.text("SELECT id FROM inbound_mails")).scalar_one()

    answer = api(admin).post(f"/api/mail/quarantine/{mail_id}/reprocess/")

    assert answer.status_code == 400
    assert "not quarantined" in answer.text
    assert count_rows(engine, "tickets") == 1


# --- Caps ---------------------------------------------------------------------------------------


@pytest.fixture
def caps(monkeypatch):
    from ticket_app.config import get_settings

    monkeypatch.setenv("MAIL_NEW_TICKETS_PER_HOUR", "3")
    monkeypatch.setenv("MAIL_TICKET_MESSAGES_PER_10_MINUTES", "2")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_one_sender_over_the_cap_is_stored_flagged_and_sends_nothing(engine, caps, api, admin):
    outcomes = [ingest(message(n, sender="flood@spam.example")) for n in range(5)]
    other = ingest(message(9))

    assert [outcome.action for outcome in outcomes] == ["created"] * 3 + ["quarantined"] * 2
    assert "MAIL_NEW_TICKETS_PER_HOUR" in outcomes[3].reason
    assert other.action == "created"
    assert count_rows(engine, "mail_outbox", "recipient = 'flood@spam.example'") == 3
    assert count_rows(engine, "inbound_mails") == 6  # never lost
    held = api(admin).get("/api/mail/quarantine/").json()["items"]
    assert len(held) == 2
    reprocessed = api(admin).post(f"/api/mail/quarantine/{held[0]['id']}/reprocess/")
    assert reprocessed.json()["action"] == "created"  # an admin lifts the cap for one


def test_one_ticket_over_its_cap_is_stored_flagged_and_sends_nothing(engine, caps, make_person):
    seeded = ingest(SEED)
    replies = [
        ingest(
            message(
                n,
                sender="carla@customer.example",
                subject=f"Re: [#{seeded.ticket_id}] Printer on floor 3 does not print",
            )
        )
        for n in range(4)
    ]

    assert [reply.action for reply in replies] == [
        "appended",
        "quarantined",
        "quarantined",
        "quarantined",
    ]
    assert replies[1].ticket_id == seeded.ticket_id
    assert "MAIL_TICKET_MESSAGES_PER_10_MINUTES" in replies[1].reason
    assert count_rows(engine, "ticket_comments") == 1


# --- The Cc rule, reopening, autoreplies ----------------------------------------------------


def _reply(number: int, ticket_id: int, sender: str, cc: str = "", headers: str = "") -> bytes:
    return message(
        number,
        sender=sender,
        subject=f"Re: [#{ticket_id}] Printer on floor 3 does not print",
        headers=(f"Cc: {cc}\r\n" if cc else "") + headers,
    )


def _participants(api_client: Any, ticket_id: int) -> set[str]:
    ticket = api_client.get(f"/api/tickets/{ticket_id}/").json()
    return {person["name"] for person in ticket["participants"]}


def test_cc_rule_only_the_requester_adds_and_nobody_is_removed_by_mail(engine, api, agent):
    ticket = ingest(SEED).ticket_id
    assert _participants(api(agent), ticket) == {"Dan Colleague"}

    by_participant = ingest(_reply(1, ticket, "dan@customer.example", cc="Eve <eve@x.example>"))
    by_requester = ingest(_reply(2, ticket, "carla@customer.example", cc="Fred <fred@x.example>"))
    dropped_cc = ingest(_reply(3, ticket, "carla@customer.example"))
    with_staff = ingest(_reply(4, ticket, "carla@customer.example", cc=agent.actor.email))

    assert [o.action for o in (by_participant, by_requester, dropped_cc, with_staff)] == [
        "appended"
    ] * 4
    assert _participants(api(agent), ticket) == {"Dan Colleague", "Fred"}
    assert "Cc'd people added" in by_requester.reason


def test_a_mailed_reply_reopens_a_resolved_ticket_and_an_autoreply_does_not(engine, api, agent):
    ticket = ingest(SEED).ticket_id
    resolved = api(agent).patch(f"/api/tickets/{ticket}/", json={"status": "resolved"})
    assert resolved.status_code == 200
    mails = count_rows(engine, "mail_outbox")

    auto = ingest(
        _reply(1, ticket, "carla@customer.example", headers="Auto-Submitted: auto-replied\r\n")
    )
    assert auto.action == "ignored"
    assert api(agent).get(f"/api/tickets/{ticket}/").json()["status"] == "resolved"
    assert count_rows(engine, "mail_outbox") == mails  # nobody told

    reply = ingest(_reply(2, ticket, "carla@customer.example"))
    assert reply.action == "appended"
    assert api(agent).get(f"/api/tickets/{ticket}/").json()["status"] == "open"


def test_a_new_requester_has_no_password_and_gets_the_receipt(engine, api, admin):
    from ticket_app.services import users
    from ticket_app.services.errors import NotSignedIn

    created = ingest(message(1, sender="new.person@customer.example"))
    assert created.action == "created"
    with pytest.raises(NotSignedIn):  # no password signs them in, not even an empty one
        users.authenticate(email="new.person@customer.example", password="", address="test")
    with engine.connect() as connection:
        kinds = connection.execute(
            sa.text("SELECT kind FROM mail_outbox WHERE recipient = 'new.person@customer.example'")
        )
        assert list(kinds.scalars()) == ["ticket_received"]


# --- Who reads received mail -------------------------------------------------------------------


def test_requesters_read_neither_a_tickets_mail_nor_raw_messages(engine, api, make_person):
    ticket = ingest(SEED).ticket_id
    with engine.connect() as connection:
        mail_id = connection.execute(sa.text("SELECT id FROM inbound_mails")).scalar_one()
    requester = make_person("requester", "Rita Requester")

    assert api(requester).get(f"/api/tickets/{ticket}/mail/").status_code == 403
    assert api(requester).get(f"/api/mail/inbound/{mail_id}/raw/").status_code == 403
    assert api(requester).get("/api/mail/quarantine/").status_code == 403


# --- The listener ------------------------------------------------------------------------------


class Listener:
    """The app's listener on a loop of its own in a thread, on a free port."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: Any = None

    def start(self) -> int:
        from ticket_app.mail import listener

        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(listener.start("127.0.0.1", 0), self.loop)
        self.server = future.result(timeout=10)
        return int(self.server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def listening(engine, monkeypatch) -> Iterator[Any]:
    def start(protocol: str = "smtp") -> int:
        from ticket_app.config import get_settings

        monkeypatch.setenv("MAIL_RECEIVE_PROTOCOL", protocol)
        get_settings.cache_clear()
        return started.start()

    from ticket_app.config import get_settings

    started = Listener()
    yield start
    started.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


def test_listener_refuses_other_recipients_with_550(listening, engine):
    port = listening()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo()
        client.mail("carla@customer.example")
        code, answer = client.rcpt("someone@elsewhere.example")
        assert code == 550
        assert b"Not a relay" in answer
        code, _ = client.rcpt("support@localhost")
        assert code == 250
        code, answer = client.data(message(1))
        assert code == 250
        assert b"created" in answer
    assert count_rows(engine, "tickets") == 1


def test_listener_answers_451_when_it_cannot_store(listening, engine, monkeypatch, database_url):
    port = listening()
    monkeypatch.setenv("DATABASE_URL", BAD_DATABASE)
    reset_caches()
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as failed,
        ):
            client.sendmail("carla@customer.example", ["support@localhost"], message(1))
        assert failed.value.smtp_code == 451
    finally:
        monkeypatch.setenv("DATABASE_URL", database_url)
        reset_caches()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:  # the sender's retry
        client.sendmail("carla@customer.example", ["support@localhost"], message(1))
    assert count_rows(engine, "tickets") == 1


def test_lmtp_answers_once_per_recipient(listening, engine):
    port = listening("lmtp")
    with smtplib.LMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo_or_helo_if_needed()
        client.mail("carla@customer.example")
        client.rcpt("support@localhost")
        client.rcpt("support+anything@localhost")
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(message(1).replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        answers = [client.getreply(), client.getreply()]
    assert [code for code, _ in answers] == [250, 250]
    assert count_rows(engine, "tickets") == 1


def test_a_message_the_pipeline_fails_on_is_quarantined_and_blocks_nothing(
    engine, monkeypatch, api, admin
):
    from ticket_app.services import inbound

    real = inbound.classify

    def classify(text: str) -> Any:
        if "poison" in text:
            raise RuntimeError("the classifier broke on this one")
        return real(text)

    monkeypatch.setattr(inbound, "classify", classify)

    poisoned = ingest(message(1, subject="poison"))
    following = ingest(message(2))

    assert poisoned.action == "quarantined"
    assert "RuntimeError: the classifier broke on this one" in poisoned.reason
    assert following.action == "created"
    assert len(api(admin).get("/api/mail/quarantine/").json()["items"]) == 1


# --- Files ---------------------------------------------------------------------------------------


def _with_file(sender: str, subject: str, filename: str, data: bytes, kind: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Rita Requester <{sender}>"
    mail["To"] = "support@localhost"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{filename}.{len(subject)}@customer.example>"
    mail.set_content("The file is attached.")
    maintype, subtype = kind.split("/")
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


def test_a_mailed_tickets_files_are_its_attachments_and_a_replys_are_on_the_reply(
    engine, api, make_person
):
    from tests.support.files import PDF, png

    picture = png(64, 40)
    rita = make_person("requester", "Rita Requester")
    created = ingest(
        _with_file(rita.actor.email, "Invoice is wrong", "invoice.pdf", PDF, "application/pdf")
    )
    assert created.action == "created"
    client = api(rita)
    ticket = client.get(f"/api/tickets/{created.ticket_id}/").json()
    [listed] = ticket["attachments"]
    assert (listed["filename"], listed["content_type"]) == ("invoice.pdf", "application/pdf")
    assert client.get(f"/api/attachments/{listed['id']}/").content == PDF  # hers to open

    subject = f"Re: [#{created.ticket_id}] Invoice is wrong"
    appended = ingest(_with_file(rita.actor.email, subject, "screen.png", picture, "image/png"))
    assert appended.action == "appended"
    [reply] = client.get(f"/api/tickets/{created.ticket_id}/comments/").json()
    [shot] = reply["attachments"]
    assert (shot["filename"], shot["content_type"]) == ("screen.png", "image/png")
    assert client.get(f"/api/attachments/{shot['id']}/").content == picture
    assert count_rows(engine, "attachments") == 2


def test_a_mailed_file_over_the_limit_stays_listed_and_the_ticket_is_made(
    engine, api, make_person, monkeypatch
):
    from tests.support.files import PDF

    monkeypatch.setenv("ATTACHMENT_MAX_BYTES", "16")
    reset_caches()
    rita = make_person("requester", "Rita Requester")
    created = ingest(_with_file(rita.actor.email, "Big scan", "scan.pdf", PDF, "application/pdf"))
    assert created.action == "created"
    ticket = api(rita).get(f"/api/tickets/{created.ticket_id}/").json()
    assert ticket["attachments"] == []
    assert "scan.pdf" in ticket["description"]  # listed, and kept in the original message
