"""How fast mail becomes tickets: N messages in a real IMAP mailbox (Dovecot on loopback, as in
the tests) ingested by K poller processes, in messages per second, and the desk's list p50/p95
before, during and after it.

    python -m bench.mail_ingest --database postgresql://tickets:tickets@127.0.0.1:54329/tickets \
        [--messages 10000] [--pollers 1]

A fresh database is made on the server `--database` names (dropped afterwards), migrated, and
given one agent. The N messages (each from its own sender: N new tickets, N new requesters)
are appended to the mailbox first, untimed. The pollers are `imap.poll_once` loops in their
own processes, as the app's lifespan task runs it; several pollers on one mailbox fetch the
same messages and the Message-ID keeps each once (their wasted work is part of the figure).
Meanwhile this process reads the first page of the ticket list as the agent, as the UI does,
every 50 ms, and reports its p50/p95 against the same reads on the idle desk: before the
ingest (an empty desk) and after it (the same tickets as at its end, the fair reference).
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.support.imap_server import ImapServer
from tests.support.mails import message

POLLER = """
from ticket_app.mail import imap
with imap.connected() as box:
    while imap.poll_once(box):
        pass
"""
IDLE_READS = 200


def _database(base: str) -> tuple[str, Any, str]:
    url = make_url(base).set(drivername="postgresql+psycopg2")
    name = f"bench_mail_ingest_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), admin, name


def _agent() -> Any:
    from ticket_app.services import passwords, users
    from ticket_app.services.access import Actor
    from ticket_app.services.transaction import transaction

    data = users.validate_user_create(
        {"email": "bench@example.com", "name": "Bench", "role": "agent", "password": "x" * 16}
    )
    with transaction(write=True) as connection:
        user = users.insert_user(connection, data=data, password_hash=passwords.unusable_hash())
    return Actor(id=user.id, email=user.email, name=user.name, role=user.role)


def _list_once(agent: Any) -> float:
    from ticket_app.services import tickets
    from ticket_app.services.schemas import TicketFilters

    started = time.perf_counter()
    tickets.list_tickets(agent, filters=TicketFilters(), limit=25)
    return time.perf_counter() - started


def _quantiles(samples: list[float]) -> str:
    """p50 / p95 in milliseconds."""
    if len(samples) < 2:
        return "no samples"
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {cuts[9] * 1000:.1f} ms, p95 {cuts[-1] * 1000:.1f} ms ({len(samples)} reads)"


def _idle(agent: Any) -> list[float]:
    samples = []
    for _ in range(IDLE_READS):
        samples.append(_list_once(agent))
        time.sleep(0.05)  # the same pace as the reads during the ingest
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="a PostgreSQL server's URL")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--pollers", type=int, default=1)
    arguments = parser.parse_args()

    url, admin, name = _database(arguments.database)
    server = ImapServer()
    os.environ.update(DATABASE_URL=url, IMAP_URL="")
    os.environ.setdefault("SECRET_KEY", "bench-mail")
    try:
        from ticket_app import migrate

        migrate.upgrade(url, quiet=True)
        server.start()
        agent = _agent()
        for start in range(0, arguments.messages, 1000):
            end = min(start + 1000, arguments.messages)
            server.append([message(number) for number in range(start, end)])
        idle_before = _idle(agent)

        environment = {**os.environ, "IMAP_URL": server.url}
        busy: list[float] = []
        started = time.perf_counter()
        pollers = [
            subprocess.Popen([sys.executable, "-c", POLLER], env=environment)  # noqa: S603
            for _ in range(arguments.pollers)
        ]
        done = threading.Event()
        waiter = threading.Thread(target=lambda: ([p.wait() for p in pollers], done.set()))
        waiter.start()
        while not done.is_set():
            busy.append(_list_once(agent))
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        idle_after = _idle(agent)

        from ticket_app.db import get_engine

        with get_engine().connect() as connection:
            tickets = connection.execute(sa.text("SELECT count(*) FROM tickets")).scalar_one()
            received = connection.execute(sa.text("SELECT count(*) FROM inbound_mails")).scalar()
        print(f"messages: {arguments.messages}, pollers: {arguments.pollers}")
        print(f"tickets created: {tickets}, messages stored: {received}")
        print(f"elapsed: {elapsed:.1f} s (poller start-up included)")
        print(f"rate: {arguments.messages / elapsed:.1f} messages/s")
        print(f"list, idle before (empty desk): {_quantiles(idle_before)}")
        print(f"list, during ingestion:         {_quantiles(busy)}")
        print(f"list, idle after (same tickets): {_quantiles(idle_after)}")
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        server.stop()
        from ticket_app.db import get_engine

        get_engine().dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
