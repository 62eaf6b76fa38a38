"""The mail corpus (tests/mail_corpus/): its manifest, and a desk with one mailed-in ticket that
the corpus' replies, bounces and forgeries refer to.

The `.eml` files hold placeholders for what only the running desk knows, filled in at test
time: `{{TICKET}}` (the seed ticket's number), `{{REPLY_ID}}` (the signed Message-ID of the
receipt the desk mailed its requester), `{{ROOT_ID}}` (the ticket's thread root),
`{{REPLY_ADDRESS}}` (its signed reply address), `{{OWN_ID}}` (a new Message-ID of the desk's
own) and `{{DESK}}` (MAIL_ADDRESS).
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

CORPUS = Path(__file__).resolve().parent.parent / "mail_corpus"
SEED = b"""From: "Carla Customer" <carla@customer.example>\r
To: support@localhost\r
Cc: Dan Colleague <dan@customer.example>\r
Subject: Printer on floor 3 does not print\r
Date: Mon, 08 Jan 2024 10:00:00 +0100\r
Message-ID: <seed-1@customer.example>\r
Content-Type: text/plain; charset=utf-8\r
\r
The printer on floor 3 does not print anything since this morning.\r
"""


def manifest() -> list[dict[str, Any]]:
    return json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Seeded:
    ticket_id: int
    values: dict[str, str]

    def fill(self, raw: bytes) -> bytes:
        for name, value in self.values.items():
            raw = raw.replace(b"{{" + name.encode() + b"}}", value.encode())
        return raw

    def load(self, name: str) -> bytes:
        return self.fill((CORPUS / name).read_bytes())


def seed(engine: Any) -> Seeded:
    """The seed ticket, mailed in by Carla with Dan in Cc, and the values its mail carries."""
    from ticket_app.config import get_settings
    from ticket_app.mail import compose
    from ticket_app.models import InboundSource
    from ticket_app.services import inbound

    outcome = inbound.ingest(raw=SEED, source=InboundSource.PIPE)
    assert outcome.action == "created", outcome
    ticket = outcome.ticket_id
    assert ticket is not None
    with engine.connect() as connection:
        receipt = connection.execute(
            sa.text(
                "SELECT message_id FROM mail_outbox WHERE ticket_id = :t AND recipient = :r"
                " ORDER BY id"
            ),
            {"t": ticket, "r": "carla@customer.example"},
        ).scalar_one()
    return Seeded(
        ticket,
        {
            "TICKET": str(ticket),
            "REPLY_ID": receipt,
            "ROOT_ID": compose.thread_root(ticket),
            "REPLY_ADDRESS": compose.reply_address(ticket),
            "OWN_ID": compose.message_id(ticket),
            "DESK": get_settings().mail_address,
        },
    )
