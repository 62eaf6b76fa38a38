"""The IMAP poller against a real Dovecot (tests/support/imap_server.py): messages become
tickets and are flagged only after their commit; IDLE wakes it; a database that is down leaves
everything unflagged to be fetched later; SIGKILL in the middle of 1,000 messages still lands
each exactly once."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from tests.conftest import reset_caches
from tests.support.database import count_rows
from tests.support.mails import message

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _poll(limit: int | None = None) -> int:
    from ticket_app.mail import imap

    with imap.connected() as box:
        return imap.poll_once(box, limit=limit)


def test_messages_become_tickets_and_are_flagged_after_commit(mailbox, engine):
    mailbox.append([message(1), message(2, sender="dan@customer.example"), message(3)])

    assert _poll() == 3

    assert count_rows(engine, "tickets") == 3
    assert mailbox.count("UNSEEN") == 0
    assert mailbox.count("SEEN") == 3
    assert _poll() == 0  # nothing left to do, nothing twice
    assert count_rows(engine, "tickets") == 3
    with engine.connect() as connection:
        sources = connection.execute(sa.text("SELECT DISTINCT source FROM inbound_mails"))
        assert list(sources.scalars()) == ["imap"]


def test_move_to_a_folder_after_commit(mailbox, engine, monkeypatch):
    from ticket_app.config import get_settings

    monkeypatch.setenv("IMAP_MOVE_TO", "Processed")
    get_settings.cache_clear()
    mailbox.append([message(1), message(2)])

    assert _poll() == 2

    assert (mailbox.count(), mailbox.count(folder="Processed")) == (0, 2)
    assert count_rows(engine, "tickets") == 2


def test_database_down_during_a_fetch_flags_nothing_and_everything_comes_later(
    mailbox, engine, monkeypatch, database_url
):
    from ticket_app.services.errors import DatabaseUnavailable

    mailbox.append([message(number) for number in range(1, 6)])
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:x@127.0.0.1:1/nothing")
    reset_caches()
    with pytest.raises(DatabaseUnavailable):
        _poll()
    assert mailbox.count("UNSEEN") == 5  # nothing flagged

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_caches()
    assert _poll() == 5
    assert mailbox.count("UNSEEN") == 0
    assert count_rows(engine, "tickets") == 5


def test_one_failing_message_in_a_fetch_chunk_is_quarantined_alone(mailbox, engine, monkeypatch):
    """A chunk is one transaction; a message that fails inside it sends the chunk back one
    message at a time: the failing one is quarantined, the others land, all are flagged."""
    from ticket_app.services import inbound

    real_insert = inbound.insert_ticket

    def failing_on_3(connection, actor, *, data, **kwargs):
        if data.title == "Printer 3 does not print":
            raise RuntimeError("a bug on this one message")
        return real_insert(connection, actor, data=data, **kwargs)

    monkeypatch.setattr(inbound, "insert_ticket", failing_on_3)
    mailbox.append([message(number) for number in range(1, 6)])

    assert _poll() == 5

    assert count_rows(engine, "tickets") == 4
    held = count_rows(
        engine,
        "inbound_mails",
        "outcome = 'quarantined' AND message_id = :key",
        key="<m3@customer.example>",
    )
    assert held == 1
    assert count_rows(engine, "inbound_mails") == 5
    assert mailbox.count("UNSEEN") == 0


def test_a_chunk_keeps_the_sender_cap_and_takes_a_repeated_message_once(
    mailbox, engine, monkeypatch
):
    from ticket_app.config import get_settings

    monkeypatch.setenv("MAIL_NEW_TICKETS_PER_HOUR", "3")
    get_settings.cache_clear()
    flood = [message(number, sender="flood@spam.example") for number in range(1, 6)]
    mailbox.append([*flood, message(9), message(9)])  # the last one twice

    assert _poll() == 7

    assert count_rows(engine, "tickets", "title LIKE 'Printer _ does not print'") == 4
    assert count_rows(engine, "inbound_mails", "outcome = 'quarantined'") == 2
    assert count_rows(engine, "inbound_mails") == 6  # the copy of message 9 is known
    assert count_rows(engine, "mail_outbox", "recipient = 'flood@spam.example'") == 3
    assert mailbox.count("UNSEEN") == 0


def test_idle_wakes_the_poller_when_mail_arrives(mailbox, engine, monkeypatch):
    from ticket_app.config import get_settings
    from ticket_app.mail import imap

    monkeypatch.setenv("IMAP_POLL_SECONDS", "600")  # only IDLE can make it quick
    get_settings.cache_clear()
    stop = threading.Event()
    worker = threading.Thread(target=imap.work, args=(stop.is_set,), daemon=True)
    worker.start()
    try:
        time.sleep(1.5)  # the poller found nothing and waits in IDLE
        mailbox.append([message(7)])
        deadline = time.monotonic() + 8
        while count_rows(engine, "tickets") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert count_rows(engine, "tickets") == 1
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


POLLER = """
from ticket_app.mail import imap
with imap.connected() as box:
    while imap.poll_once(box):
        pass
"""


def test_sigkill_in_the_middle_of_1000_messages_lands_each_exactly_once(
    mailbox, engine, database_url
):
    total = 1000
    mailbox.append([message(number) for number in range(total)])
    environment = {**os.environ, "DATABASE_URL": database_url, "IMAP_URL": mailbox.url}
    poller = subprocess.Popen([sys.executable, "-c", POLLER], cwd=PROJECT, env=environment)
    try:
        deadline = time.monotonic() + 120
        while count_rows(engine, "tickets") < total // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.send_signal(signal.SIGKILL)
        poller.wait()
    landed = count_rows(engine, "tickets")
    assert total // 4 <= landed < total  # killed in the middle

    while _poll():
        pass

    assert count_rows(engine, "tickets") == total
    assert count_rows(engine, "inbound_mails") == total
    with engine.connect() as connection:
        titles = connection.execute(sa.text("SELECT count(DISTINCT title) FROM tickets"))
        assert titles.scalar_one() == total  # every message once
    assert mailbox.count("UNSEEN") == 0


def _rounds_until_logged(caplog, text: str, seconds: float = 15) -> list[str]:
    """Run the poller (`imap.work`) until `text` is in its log; its warnings."""
    from ticket_app.mail import imap

    stop = threading.Event()
    worker = threading.Thread(target=imap.work, args=(stop.is_set,), daemon=True)
    with caplog.at_level(logging.WARNING, logger="ticket_app.mail.imap"):
        worker.start()
        deadline = time.monotonic() + seconds
        while text not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        worker.join(timeout=10)
    return [record.getMessage() for record in caplog.records]


def test_xoauth2_with_a_valid_token_fetches_and_a_wrong_or_expired_one_is_reported(
    mailbox, engine, monkeypatch, tmp_path, caplog
):
    """Dovecot asks its OAuth2 provider (tests/support/imap_server.py) about the token the
    poller presents: a refused token is said in the log with what to check, nothing is
    flagged, and once the token file holds a good token every message comes in."""
    from ticket_app.config import get_settings

    token_file = tmp_path / "imap-token"
    monkeypatch.setenv("IMAP_URL", f"imap://desk@127.0.0.1:{mailbox.port}/INBOX")  # no password
    monkeypatch.setenv("IMAP_OAUTH2_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("IMAP_POLL_SECONDS", "1")
    get_settings.cache_clear()
    mailbox.append([message(1), message(2)])

    for token in ("not-a-token-it-issued", mailbox.tokens.issue(seconds=-60)):  # wrong, expired
        caplog.clear()
        token_file.write_text(token + "\n", encoding="utf-8")
        logged = _rounds_until_logged(caplog, "refused the OAuth2 token")
        assert any(
            "refused the OAuth2 token (XOAUTH2) for desk" in line and str(token_file) in line
            for line in logged
        ), logged
        assert token not in caplog.text  # a secret, never logged
        assert mailbox.count("UNSEEN") == 2  # nothing flagged, nothing lost
        assert count_rows(engine, "tickets") == 0

    token_file.write_text(mailbox.tokens.issue() + "\n", encoding="utf-8")
    assert _poll() == 2
    assert count_rows(engine, "tickets") == 2
    assert mailbox.count("UNSEEN") == 0
