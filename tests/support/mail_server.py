"""A real SMTP server for the mail tests: aiosmtpd on a free port, keeping what it received.

Like a well-behaved server it takes responsibility for a message only when it answers 250 to
its end of data: a client that goes away before that (killed mid-send) leaves nothing behind.
`refuse` holds addresses answered with a permanent 550; `delay` slows each message down;
`hold_after` N holds every message after the first N unanswered (`holding` is set then), so
a test can kill the sender while it waits for the server's 250.
"""

import asyncio
import email
import socket
import threading
from collections import Counter
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """The aiosmtpd handler: what arrived, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.hold_after: int | None = None
        self.holding = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # cancelled if the client goes away meanwhile
        while self.hold_after is not None and len(self.received) >= self.hold_after:
            self.holding.set()
            await asyncio.sleep(0.05)  # cancelled, and nothing kept, if the client goes away
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.received.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        return [mail for mail in self.messages() if mail["To"] == address]

    def ids(self) -> Counter[str]:
        return Counter(mail["Message-ID"] for mail in self.messages())


class SmtpServer:
    """Start, stop and start again (same port, same recorder): a server that goes down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def body(mail: EmailMessage, subtype: str) -> str:
    part = mail.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()
