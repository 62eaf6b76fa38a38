"""One worker leads (ticket_app/leader.py): of two worker processes started on one database,
exactly one runs the background jobs (here the mail listener, whose port only one process can
bind); when it is killed, the other takes over within seconds. On SQLite (a file lock) and on
PostgreSQL (an advisory lock)."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

from ticket_app.leader import RETRY_SECONDS

PROJECT = Path(__file__).resolve().parent.parent
WORKER = """
import asyncio, logging
from ticket_app import leader
from ticket_app.mail import listener

logging.basicConfig(level=logging.INFO, format="%(message)s")

async def main():
    async with leader.lifespan_of(listener.lifespan)():
        await asyncio.sleep(3600)

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
            return client.noop()[0] == 250
    except OSError:
        return False


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _leads(log: Path) -> bool:
    return "leads: it runs the background jobs" in log.read_text(encoding="utf-8")


def test_one_worker_runs_the_listener_and_another_takes_over_when_it_dies(database_url, tmp_path):
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_RECEIVE_PORT": str(port),
        "MAIL_RECEIVE_HOST": "127.0.0.1",
        "IMAP_URL": "",
        "SMTP_URL": "",
    }
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = []
    for log in logs:
        with log.open("wb") as output:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER],
                    cwd=PROJECT,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        assert _wait(lambda: _answers(port), 30), [log.read_text() for log in logs]
        time.sleep(3 * RETRY_SECONDS)  # the other has tried (and kept trying) meanwhile

        leading = [index for index, log in enumerate(logs) if _leads(log)]
        assert len(leading) == 1, [log.read_text() for log in logs]
        assert all(worker.poll() is None for worker in workers)  # the other waits, alive
        follower = 1 - leading[0]
        assert "another worker runs the background jobs" in logs[follower].read_text()
        assert "Address already in use" not in logs[follower].read_text()

        workers[leading[0]].send_signal(signal.SIGKILL)
        workers[leading[0]].wait()

        assert _wait(lambda: _leads(logs[follower]), 10 * RETRY_SECONDS), logs[follower].read_text()
        assert _wait(lambda: _answers(port), 10)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
