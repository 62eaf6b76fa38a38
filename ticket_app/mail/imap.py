"""The IMAP poller (IMAP_URL): a mailbox's messages through the pipeline, none lost, none
twice.

- Each round lists the messages still to do (unseen ones; all of them when IMAP_MOVE_TO moves
  done ones away), fetches them in chunks of BATCH in one command each without marking them
  read (`BODY.PEEK`), and hands each chunk to `services.inbound.ingest_many`, which commits
  the chunk in one transaction (one commit instead of fifty; when a message in it fails, the
  chunk is taken one message at a time, so that one is quarantined and the others land).
- Only after that commit is a message flagged `\\Seen` (or moved to IMAP_MOVE_TO), a chunk at
  a time. A poller killed between the commit and the flag sees the message again next round:
  the pipeline knows its Message-ID and changes nothing, and it is flagged then. So every
  message lands exactly once whatever moment the process dies.
- When the database cannot be reached, the round stops at that message with nothing flagged;
  the next round (after IMAP_POLL_SECONDS) fetches it again.
- Between rounds the poller waits in IDLE when the server offers it (woken by new mail,
  re-issued every few seconds so it can stop promptly), else sleeps IMAP_POLL_SECONDS.
- XOAUTH2 instead of a password when IMAP_OAUTH2_TOKEN_FILE is set (read at each login). A
  refused login (a wrong or expired token, a wrong password) is logged as an error saying what
  to check, never with the secret; nothing was fetched, so nothing is lost.

It runs in the app as a lifespan task when IMAP_URL is set, in the one worker that leads
(`ticket_app.leader`; two pollers on one mailbox, say from two instances, do no harm beyond
the wasted work: the Message-ID keeps each message once), and once with `poll_once` in tests
and the bench. It runs at the worker's own CPU priority: a lowered one (nice 10) made the
ingest slower (79 against 136 messages/s) without making the list faster meanwhile
(docs/performance.md).
"""

import contextlib
import imaplib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError

from ticket_app.background import in_thread
from ticket_app.config import get_settings
from ticket_app.models import InboundSource
from ticket_app.services import inbound
from ticket_app.services.errors import DatabaseBusy, DatabaseUnavailable

logger = logging.getLogger(__name__)

BATCH = 50
TIMEOUT_SECONDS = 60.0
IDLE_SLICE_SECONDS = 5.0
UID = re.compile(rb"UID\s+(\d+)")
SEEN = "\\Seen"


class Fetched:
    """A fetched message kept as its raw bytes (imap-tools' own class would parse it first,
    which the pipeline does anyway)."""

    def __init__(self, fetch_data: list[Any]) -> None:
        self.raw = b""
        self.uid = ""
        for item in fetch_data:
            if isinstance(item, tuple):
                found = UID.search(item[0])
                self.uid = found.group(1).decode() if found else ""
                self.raw = item[1]


class LoginRefused(Exception):
    """The server refused the login: what to check, without the secret."""


@dataclass(frozen=True)
class Account:
    """Where IMAP_URL points."""

    scheme: str
    host: str
    port: int | None
    user: str
    password: str
    folder: str

    @classmethod
    def parse(cls, url: str) -> "Account":
        parts = urlsplit(url)
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=parts.port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.strip("/")) or "INBOX",
        )

    def open(self) -> BaseMailBox:
        """A logged-in mailbox with the folder selected."""
        box: BaseMailBox
        if self.scheme == "imaps":
            box = MailBox(self.host, self.port or 993, timeout=TIMEOUT_SECONDS)
        elif self.scheme == "imap+starttls":
            box = MailBoxStartTls(self.host, self.port or 143, timeout=TIMEOUT_SECONDS)
        else:
            box = MailBoxUnencrypted(self.host, self.port or 143, timeout=TIMEOUT_SECONDS)
        box.email_message_class = Fetched  # type: ignore[assignment]
        token_file = get_settings().imap_oauth2_token_file
        try:
            if token_file:
                token = Path(token_file).read_text(encoding="utf-8").strip()
                return box.xoauth2(self.user, token, initial_folder=self.folder)
            return box.login(self.user, self.password, initial_folder=self.folder)
        except (imaplib.IMAP4.error, ImapToolsError) as error:
            with contextlib.suppress(Exception):
                box.client.shutdown()
            if token_file:
                raise LoginRefused(
                    f"{self.host} refused the OAuth2 token (XOAUTH2) for {self.user} read from"
                    f" {token_file} (IMAP_OAUTH2_TOKEN_FILE): it is wrong or has expired, and"
                    f" whatever refreshes it must write a current one there ({error})"
                ) from error
            raise LoginRefused(
                f"{self.host} refused the login of {self.user} (IMAP_URL's user and password)"
                f" ({error})"
            ) from error


@contextlib.contextmanager
def connected(url: str | None = None) -> Iterator[BaseMailBox]:
    box = Account.parse(url or get_settings().imap_url).open()
    try:
        yield box
    finally:
        with contextlib.suppress(Exception):
            box.logout()


def _done(box: BaseMailBox, uids: list[str]) -> None:
    """Flag or move messages whose outcome is committed."""
    if not uids:
        return
    move_to = get_settings().imap_move_to
    if move_to:
        box.move(uids, move_to)
    else:
        box.flag(uids, SEEN, True)


def poll_once(box: BaseMailBox, *, limit: int | None = None) -> int:
    """Take the messages still to do through the pipeline (at most `limit`); how many were
    handled. Raises DatabaseUnavailable/DatabaseBusy (nothing after the last commit flagged)."""
    criteria = "ALL" if get_settings().imap_move_to else AND(seen=False)
    uids = list(box.uids(criteria))[:limit]
    handled = 0
    for start in range(0, len(uids), BATCH):
        chunk: list[Any] = [
            message
            for message in box.fetch(
                uid_list=uids[start : start + BATCH], mark_seen=False, bulk=BATCH
            )
            if getattr(message, "uid", "")
        ]
        committed: list[str] = []
        try:
            outcomes = inbound.ingest_many(
                [fetched.raw for fetched in chunk], source=InboundSource.IMAP
            )
            for fetched, _ in zip(chunk, outcomes, strict=True):  # each once it is committed
                committed.append(fetched.uid)
        finally:
            _done(box, committed)
            handled += len(committed)
    return handled


def _wait(box: BaseMailBox, stop: Callable[[], bool]) -> None:
    """Until new mail, IMAP_POLL_SECONDS, or `stop()`."""
    until = time.monotonic() + get_settings().imap_poll_seconds
    idle = "IDLE" in box.client.capabilities
    while not stop() and time.monotonic() < until:
        if not idle:
            time.sleep(min(IDLE_SLICE_SECONDS, max(0.0, until - time.monotonic())))
        elif box.idle.wait(timeout=IDLE_SLICE_SECONDS):
            return


def work(stop: Callable[[], bool]) -> None:
    """Poll for ever (until `stop()`), reconnecting after any failure."""
    pause = get_settings().imap_poll_seconds
    while not stop():
        try:
            with connected() as box:
                while not stop():
                    if not poll_once(box):
                        _wait(box, stop)
        except (DatabaseUnavailable, DatabaseBusy) as error:
            logger.warning("IMAP: the database cannot take mail now (%s); trying again", error)
        except LoginRefused as error:  # nothing fetched, nothing flagged: all comes later
            logger.error("IMAP: %s; trying again in %s s", error, pause)
        except (ImapToolsError, imaplib.IMAP4.error, OSError) as error:
            logger.warning("IMAP: %s: %s; trying again", type(error).__name__, error)
        except Exception:
            logger.exception("IMAP poller")
        end = time.monotonic() + pause
        while not stop() and time.monotonic() < end:
            time.sleep(0.5)


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: the poller thread in this worker while IMAP_URL is set."""
    if not get_settings().imap_url:
        yield
        return
    async with in_thread(work, IDLE_SLICE_SECONDS + TIMEOUT_SECONDS):
        yield
