"""How fast the outbox drains: N queued notifications sent to a local SMTP server by K sender
processes, in mails per second, with a count of duplicates and losses at the server.

    python -m bench.mail_drain --database postgresql://tickets:tickets@127.0.0.1:54329/bench_mail \
        [--mails 10000] [--senders 2]

The database is migrated and given one bench agent and one ticket (created once); the
bench's own earlier mails are deleted, then N mails are queued the way the services write
them (`outbox.enqueue`). The SMTP server is aiosmtpd in this process, keeping only each
mail's Message-ID (parsing every mail whole would make the server the bottleneck on a small
machine); the senders are `python -m ticket_app.manage send-mail --once`, as in production,
started together. The clock runs from their start (their imports and start-up included)
until the last of them exits.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aiosmtpd.controller import Controller

BENCH_EMAIL = "bench-mail-agent@example.com"
CHUNK = 1000


def _prepare(mails: int) -> None:
    import sqlalchemy as sa

    from ticket_app import migrate
    from ticket_app.models import MailKind
    from ticket_app.services import outbox, passwords, users
    from ticket_app.services.transaction import transaction

    migrate.upgrade(quiet=True)
    with transaction(write=True) as connection:
        agent = connection.execute(
            sa.text("SELECT id FROM users WHERE email = :email"), {"email": BENCH_EMAIL}
        ).scalar()
        if agent is None:
            data = users.validate_user_create(
                {"email": BENCH_EMAIL, "name": "Bench Mail", "role": "agent", "password": "x" * 16}
            )
            agent = users.insert_user(connection, data, passwords.hash_password("x" * 16)).id
        ticket = connection.execute(
            sa.text("SELECT id FROM tickets WHERE created_by = :agent LIMIT 1"), {"agent": agent}
        ).scalar()
        if ticket is None:
            ticket = connection.execute(
                sa.text(
                    "INSERT INTO tickets (title, description, category, priority, status,"
                    " created_by) VALUES ('Bench mail', 'Mail bench', 'general', 'low', 'open',"
                    " :agent) RETURNING id"
                ),
                {"agent": agent},
            ).scalar_one()
        connection.execute(sa.text("DELETE FROM mail_outbox WHERE recipient_id = :a"), {"a": agent})
        connection.execute(
            sa.text("DELETE FROM mail_message_ids WHERE ticket_id = :t"), {"t": ticket}
        )
    recipient = outbox.Recipient(agent, BENCH_EMAIL, staff=True)
    for start in range(0, mails, CHUNK):
        with transaction(write=True) as connection:
            for number in range(start, min(start + CHUNK, mails)):
                outbox.enqueue(
                    connection,
                    kind=MailKind.ASSIGNED,
                    recipient=recipient,
                    ticket_id=ticket,
                    title=f"Bench ticket {number}",
                    actor="Bench",
                    message="A short description of the problem.\n" * 5,
                    link_path=f"/tickets/{ticket}",
                )


MESSAGE_ID = re.compile(rb"^Message-ID: (\S+)", re.MULTILINE | re.IGNORECASE)


class Counting:
    """An aiosmtpd handler that counts Message-IDs and keeps nothing else."""

    def __init__(self) -> None:
        self.ids: Counter[bytes] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.ids[found.group(1) if found else b""] += 1
        return "250 OK"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=2)
    arguments = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = arguments.database
    os.environ.setdefault("SECRET_KEY", "bench-mail")

    from tests.support.mail_server import free_port

    started = time.monotonic()
    _prepare(arguments.mails)
    print(f"queued {arguments.mails} mails in {time.monotonic() - started:.1f} s", flush=True)
    counting, port = Counting(), free_port()
    server = Controller(counting, hostname="127.0.0.1", port=port)
    server.start()
    environment = {**os.environ, "SMTP_URL": f"smtp://127.0.0.1:{port}"}
    command = [sys.executable, "-m", "ticket_app.manage", "send-mail", "--once"]
    try:
        started = time.monotonic()
        senders = [
            subprocess.Popen(command, env=environment)  # noqa: S603
            for _ in range(arguments.senders)
        ]
        codes = [sender.wait() for sender in senders]
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    ids = counting.ids
    twice = sum(1 for count in ids.values() if count > 1)
    print(
        f"{len(ids)} distinct mails received ({sum(ids.values())} in all, {twice} twice, "
        f"{arguments.mails - len(ids)} missing) by {arguments.senders} senders in "
        f"{elapsed:.1f} s: {len(ids) / elapsed:.0f} mails/s; exit codes {codes}"
    )
    return 0 if not twice and len(ids) == arguments.mails and not any(codes) else 1


if __name__ == "__main__":
    sys.exit(main())
