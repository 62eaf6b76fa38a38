"""The outbox under faults, against a real SMTP server: a server down while mail queues, a
sender killed with SIGKILL mid-send, two senders at once; every mail arrives exactly once
(counted by Message-ID at the server). Also permanent refusals, the admins' retry and view,
and the health check's report of a stuck queue."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.support.api import make_ticket
from ticket_app.config import PROJECT_ROOT, get_settings
from ticket_app.mail import sender
from ticket_app.models import MailKind, utc_now
from ticket_app.services import outbox
from ticket_app.services.errors import Forbidden
from ticket_app.services.transaction import transaction


def queue(ticket_id: int, person, count: int) -> None:
    """`count` notification mails to `person` about one ticket, as the services write them."""
    recipient = outbox.Recipient(person.id, person.actor.email, staff=True)
    with transaction(write=True) as connection:
        for number in range(count):
            outbox.enqueue(
                connection,
                kind=MailKind.ASSIGNED,
                recipient=recipient,
                ticket_id=ticket_id,
                title=f"Ticket {number}",
                actor="Ada Admin",
                link_path=f"/tickets/{ticket_id}",
            )


def states(engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT state, count(*) FROM mail_outbox GROUP BY state"))
        return dict(rows.all())


def queued_ids(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT message_id FROM mail_outbox")).scalars())


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_server_down_while_1000_mails_queue_then_up_gets_each_once(
    api, agent, requester, engine, smtp, monkeypatch
):
    monkeypatch.setenv("MAIL_POLL_SECONDS", "0.1")
    get_settings.cache_clear()
    ticket = make_ticket(api(requester))
    smtp.stop()
    stop = threading.Event()
    worker = threading.Thread(target=sender.work, args=(stop.is_set,))
    worker.start()
    try:
        queue(ticket["id"], agent, 1000)
        time.sleep(1.0)  # the sender keeps trying a server that is not there
        assert states(engine).get("sent", 0) == 0
        smtp.start()
        wait_for(lambda: states(engine) == {"sent": 1000}, 60)
    finally:
        stop.set()
        worker.join()
    received = smtp.recorder.ids()
    assert set(received) == queued_ids(engine)
    assert set(received.values()) == {1}


def _sender_process(database_url: str, smtp_url: str, *extra: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_url,
        "MAIL_LEASE_SECONDS": "2",
        "MAIL_POLL_SECONDS": "0.1",
        "MAIL_ADDRESS": get_settings().mail_address,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ticket_app.manage", "send-mail", *extra],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_sender_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    api, agent, requester, engine, database_url, smtp
):
    ticket = make_ticket(api(requester))
    queue(ticket["id"], agent, 300)
    smtp.recorder.hold_after = 120  # the 121st mail waits for its 250 ...
    process = _sender_process(database_url, smtp.url)
    try:
        assert smtp.recorder.holding.wait(60)
        process.send_signal(signal.SIGKILL)  # ... when the sender dies
        process.wait(10)
    finally:
        process.kill()
    smtp.recorder.hold_after = None
    assert len(smtp.recorder.messages()) == 120
    assert states(engine).get("sending", 0) > 0  # claimed by the dead sender
    time.sleep(2.2)  # its lease runs out
    again = _sender_process(database_url, smtp.url, "--once")
    assert again.wait(60) == 0, again.stderr.read()
    assert states(engine) == {"sent": 300}
    received = smtp.recorder.ids()
    assert set(received) == queued_ids(engine)
    assert set(received.values()) == {1}


def test_two_senders_at_once_send_each_mail_once(api, agent, requester, engine, database_url, smtp):
    ticket = make_ticket(api(requester))
    queue(ticket["id"], agent, 1000)
    smtp.recorder.delay = 0.001
    processes = [_sender_process(database_url, smtp.url, "--once") for _ in range(2)]
    for process in processes:
        assert process.wait(120) == 0, process.stderr.read()
    assert states(engine) == {"sent": 1000}
    received = smtp.recorder.ids()
    assert len(received) == 1000
    assert set(received.values()) == {1}


def test_a_permanent_refusal_fails_the_mail_and_an_admin_can_retry_it(
    api, admin, agent, requester, engine, smtp
):
    ticket = make_ticket(api(requester))
    queue(ticket["id"], agent, 1)
    smtp.recorder.refuse.add(agent.actor.email)
    sender.drain()
    page = outbox.outbox_page(admin.actor, state="failed")
    (failed,) = page.items
    assert failed.attempts == 1
    assert failed.last_error.startswith("550")
    with pytest.raises(Forbidden):
        outbox.retry(agent.actor, mail_id=failed.id)
    smtp.recorder.refuse.clear()
    outbox.retry(admin.actor, mail_id=failed.id)
    sender.drain()
    assert states(engine) == {"sent": 1}
    assert len(smtp.recorder.messages()) == 1


def test_without_smtp_url_mail_stays_queued_and_admins_can_read_it(
    api, admin, agent, requester, engine
):
    ticket = make_ticket(api(requester))
    api(agent).post(f"/api/tickets/{ticket['id']}/comments/", json={"body": "Hello <there>"})
    assert states(engine) == {"queued": 1}
    (mail,) = outbox.outbox_page(admin.actor, state="queued").items
    shown = outbox.render(admin.actor, mail_id=mail.id)
    assert ("Subject", f"[#{ticket['id']}] Printer on fire") in shown.headers
    assert "Hello <there>" in shown.text
    assert "Hello &lt;there&gt;" in shown.html
    for part in (shown.text, shown.html):  # never a usable link in the admins' view
        assert "ONE-USE-TOKEN-MADE-WHEN-SENT" in part
    with pytest.raises(Forbidden):
        outbox.render(agent.actor, mail_id=mail.id)
    health = api().get("/api/health/")
    assert health.status_code == 200
    assert health.json()["mail_queue"] == "held"


def test_the_health_check_reports_a_stuck_queue_and_stays_200(
    api, agent, requester, engine, smtp, monkeypatch
):
    ticket = make_ticket(api(requester))
    assert api().get("/api/health/").json()["mail_queue"] == "ok"
    queue(ticket["id"], agent, 1)
    old = utc_now() - timedelta(minutes=get_settings().mail_stuck_minutes + 1)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE mail_outbox SET created_at = :old"), {"old": old})
    health = api().get("/api/health/")
    assert health.status_code == 200
    assert health.json()["mail_queue"] == "stuck"
    sender.drain()
    assert api().get("/api/health/").json()["mail_queue"] == "ok"
