"""The desk's own SMTP/LMTP listener (MAIL_RECEIVE_PORT), for a mail server that delivers to
the desk rather than a mailbox the desk polls.

- Not a relay: a recipient other than MAIL_ADDRESS or one of its plus-addresses
  (`support+t12.SIG@`, the ticket reply addresses) is refused with 550 at RCPT, before any
  data is sent.
- A message is answered 250 only once the pipeline committed it (`services.inbound.ingest`,
  in a worker thread). When it cannot be stored (the database is unreachable or busy, or
  anything unexpected) the answer is 451: the sending server keeps the message and retries,
  so nothing is lost in between.
- Over twice MAIL_MAX_BYTES the DATA is refused with 552 (the sender gets a bounce); between
  MAIL_MAX_BYTES and that, the message is taken and quarantined whole.
- LMTP (MAIL_RECEIVE_PROTOCOL=lmtp) answers once per accepted recipient, as RFC 2033 asks.

It runs in the app as a lifespan task when MAIL_RECEIVE_PORT is not 0, in the one worker that
leads (`ticket_app.leader`: two workers cannot bind one port); with several instances, give
the port to one of them or put a mail server in front.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from ticket_app.config import get_settings
from ticket_app.models import InboundSource
from ticket_app.services import inbound
from ticket_app.services.errors import DatabaseBusy, DatabaseUnavailable

logger = logging.getLogger(__name__)

NOT_A_RELAY = "550 5.7.1 Not a relay: this server takes mail for the desk's address only"
CANNOT_STORE = "451 4.3.0 The message could not be stored now; try again later"


class Handler:
    """aiosmtpd's handler: which recipients are taken, and what becomes of a message."""

    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not inbound.is_desk_address(address):
            return NOT_A_RELAY
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            outcome = await asyncio.to_thread(inbound.ingest, raw=raw, source=InboundSource.SMTP)
            status = f"250 2.0.0 {outcome.action}"
        except (DatabaseUnavailable, DatabaseBusy) as error:
            logger.warning("mail listener: message not stored: %s", error)
            status = CANNOT_STORE
        except Exception:
            logger.exception("mail listener: message not stored")
            status = CANNOT_STORE
        if self.lmtp:  # one answer per recipient (RFC 2033)
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status


async def start(host: str, port: int) -> asyncio.Server:
    """A listening server on the running loop (SMTP or LMTP as configured)."""
    settings = get_settings()
    lmtp = settings.mail_receive_protocol == "lmtp"
    protocol: Any = LMTP if lmtp else SMTP
    handler = Handler(lmtp=lmtp)
    return await asyncio.get_running_loop().create_server(
        lambda: protocol(
            handler,
            data_size_limit=2 * settings.mail_max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=settings.mail_address.rpartition("@")[2],
        ),
        host=host,
        port=port,
    )


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: the listener, while MAIL_RECEIVE_PORT is not 0."""
    settings = get_settings()
    if not settings.mail_receive_port:
        yield
        return
    server = await start(settings.mail_receive_host, settings.mail_receive_port)
    logger.info(
        "receiving mail (%s) on %s:%s",
        settings.mail_receive_protocol,
        settings.mail_receive_host,
        settings.mail_receive_port,
    )
    try:
        yield
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 5)
