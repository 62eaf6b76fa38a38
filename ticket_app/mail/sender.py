"""The sender: works the outbox through SMTP_URL, so that no mail is lost and none goes twice.

- Claims: a batch of due rows is taken in one statement that marks them `sending` under a
  random claim with a lease (`next_try_at` = now + MAIL_LEASE_SECONDS). PostgreSQL picks them
  with `FOR UPDATE SKIP LOCKED`, so workers and instances never wait for nor take each other's
  rows; SQLite's claim is the same UPDATE inside its one write lock. A row whose sender died
  is due again when its lease runs out and is claimed by whoever comes next (that counts as
  an attempt, so a mail that kills its sender cannot loop forever).
- Each mail is marked sent in its own commit right after the server's 250, before the next
  one starts: a sender killed mid-batch leaves the sent ones sent and the rest claimable.
  The one window left is between the server's 250 and that commit (microseconds against the
  milliseconds of a mail): SMTP cannot close it; the receiving side sees the same Message-ID.
- Failures: a 5xx refusal is permanent (`failed`); anything else (4xx, a dropped or refused
  connection, a timeout) is retried after MAIL_RETRY_SECONDS, doubled per attempt up to
  six hours, until MAIL_MAX_ATTEMPTS. When the server cannot be reached at all, one mail
  takes the attempt and the rest of the batch goes back to the queue untouched.
- A requester's sign-in link is made here, just before the mail goes out.

It runs in the app as a lifespan task when SMTP_URL is set (`lifespan`, in the one worker
that leads: `ticket_app.leader`), and as `python -m ticket_app.manage send-mail [--once]`.
"""

import contextlib
import logging
import secrets
import smtplib
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from ticket_app.background import in_thread
from ticket_app.config import get_settings
from ticket_app.mail import compose
from ticket_app.models import MailState, OutboxMail, utc_now
from ticket_app.services import signin_links
from ticket_app.services.errors import ServiceError
from ticket_app.services.transaction import transaction

logger = logging.getLogger(__name__)

OUTBOX = OutboxMail.__table__
BATCH = 50
MAX_BACKOFF_SECONDS = 6 * 3600
ERROR_MAX_LENGTH = 500
DUE_STATES = (MailState.QUEUED.value, MailState.SENDING.value)


@dataclass(frozen=True)
class Server:
    """Where SMTP_URL points: smtp (plain), smtp+starttls, smtps (TLS from the start)."""

    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> "Server":
        parts = urlsplit(url)
        default = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=parts.port or default,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def connect(self, timeout: float) -> smtplib.SMTP:
        if self.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=timeout)
            if self.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
        if self.user:
            client.login(self.user, self.password or "")
        return client


class Unreachable(Exception):
    """The server could not be reached or dropped the connection."""


def _backoff(attempts: int) -> timedelta:
    seconds = get_settings().mail_retry_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def claim(limit: int = BATCH) -> tuple[str, list[Any]]:
    """Take up to `limit` due mails for this sender: (the claim, the rows)."""
    settings = get_settings()
    token = secrets.token_hex(12)
    now = utc_now()
    due = (
        sa.select(OUTBOX.c.id)
        .where(OUTBOX.c.state.in_(DUE_STATES), OUTBOX.c.next_try_at <= now)
        .order_by(OUTBOX.c.next_try_at, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(
            state=MailState.SENDING.value,
            claim=token,
            next_try_at=now + timedelta(seconds=settings.mail_lease_seconds),
            # A row still `sending` was claimed by a sender that died: that was an attempt.
            attempts=OUTBOX.c.attempts
            + sa.case((OUTBOX.c.state == MailState.SENDING.value, 1), else_=0),
        )
        .returning(*OUTBOX.c)
    )
    with transaction(write=True) as connection:
        rows = sorted(connection.execute(statement).all(), key=lambda row: row.id)
    return token, rows


def _finish(row: Any, token: str, **values: Any) -> bool:
    """Record the outcome of one mail if this sender still holds its claim."""
    with transaction(write=True) as connection:
        done = connection.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == row.id, OUTBOX.c.claim == token)
            .values(claim=None, **values)
        )
    if done.rowcount == 0:
        logger.warning("mail %s: the claim ran out before it was recorded", row.id)
    return done.rowcount > 0


def _sent(row: Any, token: str) -> None:
    _finish(row, token, state=MailState.SENT.value, sent_at=utc_now(), next_try_at=None)


def _failed(row: Any, token: str, error: str, *, permanent: bool) -> None:
    attempts = row.attempts + 1
    error = error[:ERROR_MAX_LENGTH]
    if permanent or attempts >= get_settings().mail_max_attempts:
        logger.warning("mail %s failed for good: %s", row.id, error)
        _finish(
            row,
            token,
            state=MailState.FAILED.value,
            attempts=attempts,
            next_try_at=None,
            last_error=error,
        )
        return
    _finish(
        row,
        token,
        state=MailState.QUEUED.value,
        attempts=attempts,
        next_try_at=utc_now() + _backoff(attempts),
        last_error=error,
    )


def _release(rows: list[Any], token: str) -> None:
    """Give claimed rows back to the queue untried, as they were."""
    with transaction(write=True) as connection:
        connection.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_([row.id for row in rows]), OUTBOX.c.claim == token)
            .values(state=MailState.QUEUED.value, claim=None, next_try_at=utc_now())
        )


def _renew(token: str) -> None:
    lease = timedelta(seconds=get_settings().mail_lease_seconds)
    with transaction(write=True) as connection:
        connection.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.claim == token, OUTBOX.c.state == MailState.SENDING.value)
            .values(next_try_at=utc_now() + lease)
        )


def _link_token(row: Any) -> str | None:
    if not row.link_marker:
        return None
    with transaction(write=True) as connection:
        return signin_links.issue(connection, user_id=row.recipient_id, target=row.link_path)


def _code(error: smtplib.SMTPException) -> int:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return max(code for code, _ in error.recipients.values())
    return int(getattr(error, "smtp_code", 0) or 0)


def _send_one(client: smtplib.SMTP, row: Any, token: str) -> None:
    """Send one claimed mail and record the outcome; Unreachable when the connection is gone
    (this mail's attempt is recorded first)."""
    try:
        mail = compose.message(row, link_token=_link_token(row))
    except ValueError as error:  # a link for someone who is no longer a requester
        _failed(row, token, f"not sent: {error}", permanent=True)
        return
    try:
        client.send_message(mail, from_addr=get_settings().mail_address, to_addrs=[row.recipient])
    except smtplib.SMTPServerDisconnected as error:
        _failed(row, token, f"connection lost: {error}", permanent=False)
        raise Unreachable(str(error)) from error
    except smtplib.SMTPException as error:  # the server answered: 4xx or 5xx
        code = _code(error)
        _failed(row, token, f"{code or ''} {error}".strip(), permanent=500 <= code < 600)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.rset()
        return
    except OSError as error:  # SMTPException is one too: answered refusals are caught above
        _failed(row, token, f"connection lost: {error}", permanent=False)
        raise Unreachable(str(error)) from error
    _sent(row, token)


def send_batch(limit: int = BATCH) -> int:
    """Claim and send up to `limit` due mails over one connection; how many were claimed."""
    settings = get_settings()
    token, rows = claim(limit)
    if not rows:
        return 0
    try:
        client = Server.parse(settings.smtp_url).connect(settings.smtp_timeout_seconds)
    except (smtplib.SMTPException, OSError) as error:
        code = _code(error) if isinstance(error, smtplib.SMTPException) else 0
        _failed(rows[0], token, f"cannot reach the mail server: {error}", permanent=False)
        _release(rows[1:], token)
        logger.warning("mail server unreachable (%s): %s", code or "no answer", error)
        raise Unreachable(str(error)) from error
    renewed = time.monotonic()
    try:
        for index, row in enumerate(rows):
            if time.monotonic() - renewed > settings.mail_lease_seconds / 3:
                _renew(token)
                renewed = time.monotonic()
            try:
                _send_one(client, row, token)
            except Unreachable:
                _release(rows[index + 1 :], token)
                raise
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    return len(rows)


def drain(limit: int = BATCH) -> int:
    """Send until nothing is due (the `--once` command); how many mails were claimed."""
    total = 0
    while claimed := send_batch(limit):
        total += claimed
    return total


def work(stop: Any = None) -> None:
    """Send for ever (or until `stop()` is true): batches while there is mail, a pause of
    MAIL_POLL_SECONDS when there is none or the server cannot be reached."""
    poll = get_settings().mail_poll_seconds
    while stop is None or not stop():
        try:
            if send_batch():
                continue
        except Unreachable:
            pass
        except ServiceError as error:
            logger.warning("mail sender: %s", error)
        time.sleep(poll)


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: a sender thread in this worker while SMTP_URL is set (without it
    mail stays queued, visible to admins)."""
    if not get_settings().smtp_url:
        yield
        return
    async with in_thread(work, get_settings().mail_poll_seconds + 5):
        yield
