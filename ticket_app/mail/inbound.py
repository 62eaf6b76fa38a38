"""Reading a received message: what it says, who sent it, what it answers, and whether a
machine wrote it. Pure functions of the raw bytes; the database side is
`ticket_app.services.inbound`.

- Parsed with the standard library (`email`, `policy.default`): encoded-word headers and the
  body's charset decoded (UTF-8, ISO-8859-x, Windows-125x, ISO-2022-JP...); a charset Python
  does not know falls back to UTF-8 with replacement characters, never to an error. A header
  the strict parser chokes on is read raw instead, so one malformed header does not make a
  message unreadable.
- The text part is preferred; HTML-only mail is turned into text here (`html_to_text`): the
  words and the links' addresses, nothing rendered, scripts and styles dropped, quotes
  (`<blockquote>`) marked with `>` like a text mail's.
- Replies lose their quoted history (`strip_quoted`): the "On ... wrote:" block in any
  language (a line that introduces `>` quotes), Outlook's "From: / Sent:" header block and
  "Original Message" line, a trailing quote, the signature after "-- " and phone footers.
  When stripping would leave nothing, the whole text is kept: a text is never lost.
- Automatic mail (`automatic`): Auto-Submitted other than "no", Precedence bulk/junk/list,
  X-Auto-Response-Suppress, X-Loop naming the desk, a Message-ID the desk signed (its own mail
  came back), and mailer-daemon/postmaster/noreply senders. Delivery reports (RFC 3464
  `multipart/report`) are read for their recipients, statuses and the Message-ID of the mail
  that bounced.
- Attachments and inline images are listed by name and size; a forwarded message
  (`message/rfc822`) adds its headers and text to the body.
"""

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser, HeaderParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from ticket_app.config import get_settings
from ticket_app.domain import EMAIL_MAX_LENGTH
from ticket_app.mail import compose

MESSAGE_ID_KEPT = 250
NAME_KEPT = 200
SUBJECT_KEPT = 300
NO_SUBJECT = "(no subject)"
AUTOMATIC_SENDERS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
    }
)
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")
LOOSE_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)*")
TAG = re.compile(r"\[#(\d{1,9})\]")
REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|odp|réf)\s*(\[\d+\])?\s*:\s*)+", re.I
)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,998}>")


class Unreadable(Exception):
    """A message the desk cannot make sense of (or will not: too large); quarantined with
    `reason`, the headers that could still be read kept beside it."""

    def __init__(self, reason: str, *, key: str, sender: str | None, subject: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key
        self.sender = sender
        self.subject = subject


@dataclass(frozen=True)
class Attachment:
    """A file of the message: its name, size and decoded bytes (an attached message whole)."""

    name: str
    size: int
    data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Bounce:
    """One recipient of a delivery report: `permanent` for a failure (5.x.x), else delayed."""

    recipient: str
    status: str
    permanent: bool
    diagnostic: str


@dataclass
class Mail:
    """What the pipeline needs of a message; `key` is its Message-ID (or a stand-in made
    from its bytes when it has none), the one idempotency key."""

    key: str
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]
    cc: list[str]
    in_reply_to: list[str]
    references: list[str]
    text: str
    names: dict[str, str] = field(default_factory=dict)  # display names of To and Cc
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str | None = None
    bounces: list[Bounce] = field(default_factory=list)
    report: bool = False
    returned_ids: list[str] = field(default_factory=list)

    @property
    def reply(self) -> str:
        """The text without its quoted history (for a reply on an existing ticket)."""
        return strip_quoted(self.text)

    @property
    def title(self) -> str:
        """The subject as a ticket title: reply prefixes dropped, at most 200 characters."""
        title = one_line(REPLY_PREFIX.sub("", TAG.sub(" ", self.subject)))
        return (title or NO_SUBJECT)[:200].strip() or NO_SUBJECT

    def tagged_ticket(self) -> int | None:
        found = TAG.search(self.subject)
        return int(found.group(1)) if found else None


def one_line(text: str) -> str:
    return " ".join(text.split())


def _hashed(prefix: str, data: bytes) -> str:
    return f"<{hashlib.sha256(data).hexdigest()}@{prefix}.invalid>"


def message_key(value: str | None, raw: bytes) -> str:
    """The idempotency key: the Message-ID as sent (first `<...>`), a hash of it when it is
    too long for the map, or a hash of the whole message when it has none."""
    text = one_line(value or "")
    found = MESSAGE_ID.search(text)
    ident = found.group() if found else (f"<{text}>" if text and " " not in text else "")
    if not ident:
        return _hashed("no-message-id", raw)
    if len(ident) > MESSAGE_ID_KEPT:
        return _hashed("long-message-id", ident.encode("utf-8", "replace"))
    return ident


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (UnicodeError, LookupError, ValueError, AssertionError):
        return value


def header(message: Any, name: str) -> str:
    """A header's text, decoded; read raw when the strict parser fails on it; "" if absent."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:  # the stdlib header parser has known crashes on bad input
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                return _decoded(str(raw))
        return ""


def _ids(value: str) -> list[str]:
    return [ident for ident in MESSAGE_ID.findall(value) if len(ident) <= MESSAGE_ID_KEPT]


def _addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, lowercase address) of the headers; an address the parser cannot make
    out of a malformed header is looked for in its text."""
    found = []
    for name in names:
        value = header(message, name)
        if not value:
            continue
        parsed = [(one_line(who), addr.strip().lower()) for who, addr in getaddresses([value])]
        valid = [(who, addr) for who, addr in parsed if ADDRESS.match(addr)]
        if not valid and (loose := LOOSE_ADDRESS.search(value)):
            valid = [("", loose.group().lower())]
        found += valid
    return found


def peek(raw: bytes) -> tuple[str, str | None, str | None]:
    """(key, sender, subject) from the headers alone: for mail that will not be read whole."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][: 256 * 1024]
    try:
        message = BytesHeaderParser(policy=policy.default).parsebytes(head)
    except Exception:  # anything: this is what quarantine is for
        return _hashed("no-message-id", raw), None, None
    sender = _addresses(message, "From")
    subject = one_line(header(message, "Subject"))[:SUBJECT_KEPT] or None
    key = message_key(header(message, "Message-ID"), raw)
    return key, (sender[0][1] if sender else None), subject


def automatic(message: Message, sender: str) -> str | None:
    """Why a machine wrote this message (see the module docstring), or None."""
    settings_address = get_settings().mail_address.lower()
    submitted = header(message, "Auto-Submitted").strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted[:60]}"
    precedence = header(message, "Precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if header(message, "X-Auto-Response-Suppress"):
        return "X-Auto-Response-Suppress"
    if settings_address in header(message, "X-Loop").lower():
        return "X-Loop names this desk"
    own = message_key(header(message, "Message-ID"), b"")
    if compose.ticket_of_message_id(own) is not None:
        return "this desk's own Message-ID: its own mail came back"
    if sender.partition("@")[0] in AUTOMATIC_SENDERS:
        return f"sent by {sender.partition('@')[0]}"
    if header(message, "X-Autoreply") or header(message, "X-Autorespond"):
        return "X-Autoreply"
    return None


def _text_of(part: Message) -> str:
    """A text part's content, decoded; unknown or lying charsets fall back to UTF-8."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, ValueError, AssertionError):
        pass
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _as_text(part: Message) -> str:
    text = _text_of(part)
    return html_to_text(text) if part.get_content_type() == "text/html" else text


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # a broken parameter is a nameless part
        name = None
    return one_line(name)[:NAME_KEPT] if name else None


def _size(part: Message) -> int:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return len(payload)
    return len(part.as_bytes()) if part.is_multipart() else 0


def _leaves(part: Any) -> Iterator[Message]:
    """Every non-multipart part, not descending into attached messages."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.get_payload():
            yield from _leaves(child)
    else:
        yield part


def _forwarded(part: Message) -> str:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return ""
    lines = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To"):
        if value := one_line(header(inner, name)):
            lines.append(f"{name}: {value}")
    body = _body_part(inner)
    return "\n".join(lines) + "\n\n" + (_as_text(body).strip() if body is not None else "")


def _body_part(message: Message) -> Message | None:
    if isinstance(message, EmailMessage):
        with contextlib.suppress(Exception):  # a broken structure: the first text part below
            return message.get_body(preferencelist=("plain", "html"))
    for part in _leaves(message):
        if part.get_content_maintype() == "text":
            return part
    return None


def _report(message: Message) -> tuple[list[Bounce], list[str]]:
    """The recipients of a delivery report and the Message-IDs of the mail it returns."""
    bounces: list[Bounce] = []
    returned: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                recipient = header(block, "Final-Recipient") or header(block, "Original-Recipient")
                address = recipient.rpartition(";")[2].strip().strip("<>").lower()
                status = header(block, "Status").strip()
                action = header(block, "Action").strip().lower()
                if not ADDRESS.match(address):
                    continue
                bounces.append(
                    Bounce(
                        recipient=address,
                        status=status[:20],
                        permanent=action == "failed" or status.startswith("5"),
                        diagnostic=one_line(header(block, "Diagnostic-Code"))[:300],
                    )
                )
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                returned += _ids(header(inner[0], "Message-ID"))
        elif kind == "text/rfc822-headers":
            headers = HeaderParser(policy=policy.default).parsestr(_text_of(part))
            returned += _ids(header(headers, "Message-ID"))
    return bounces, returned


def _body_and_attachments(message: Message) -> tuple[str, list[Attachment]]:
    body = _body_part(message)
    texts = [_as_text(body)] if body is not None else []
    attachments = []
    for part in _leaves(message):
        if part is body:
            continue
        kind = part.get_content_type()
        if kind == "message/rfc822":
            forwarded = _forwarded(part)
            texts.append(forwarded)
            inner = part.get_payload()
            subject = header(inner[0], "Subject") if isinstance(inner, list) and inner else ""
            name = _filename(part) or f"{one_line(subject)[: NAME_KEPT - 4] or 'message'}.eml"
            whole = part.as_bytes()
            attachments.append(Attachment(name, len(whole), whole))
            continue
        named = _filename(part)
        if named is None and part.get_content_maintype() in ("text", "multipart", "message"):
            continue
        payload = part.get_payload(decode=True)
        attachments.append(
            Attachment(
                named or f"unnamed.{part.get_content_subtype()}",
                _size(part),
                payload if isinstance(payload, bytes) else b"",
            )
        )
    return "\n\n".join(text.strip() for text in texts if text.strip()), attachments


def parse(raw: bytes, *, max_bytes: int) -> Mail:
    """The message in `raw`; Unreadable (to quarantine) when it is over `max_bytes`, has no
    usable sender, or cannot be parsed at all."""
    key, sender, subject = peek(raw)
    if len(raw) > max_bytes:
        raise Unreadable(
            f"larger than MAIL_MAX_BYTES ({len(raw):,} bytes, at most {max_bytes:,})",
            key=key,
            sender=sender,
            subject=subject,
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        senders = _addresses(message, "From") or _addresses(message, "Sender")
        if not senders:
            raise Unreadable(
                "no usable sender address (From)", key=key, sender=None, subject=subject
            )
        name, address = senders[0]
        if len(address) > EMAIL_MAX_LENGTH:
            raise Unreadable(
                f"the sender address is longer than {EMAIL_MAX_LENGTH} characters",
                key=key,
                sender=None,
                subject=subject,
            )
        text, attachments = _body_and_attachments(message)
        report = message.get_content_type() == "multipart/report"
        bounces, returned = _report(message) if report else ([], [])
        return Mail(
            key=key,
            sender=address,
            sender_name=name,
            subject=one_line(header(message, "Subject"))[:SUBJECT_KEPT],
            recipients=[
                addr for _, addr in _addresses(message, "Delivered-To", "X-Original-To", "To")
            ],
            cc=[addr for _, addr in _addresses(message, "Cc")],
            names={addr: who for who, addr in _addresses(message, "To", "Cc") if who},
            in_reply_to=_ids(header(message, "In-Reply-To")),
            references=_ids(header(message, "References")),
            text=text.replace("\r\n", "\n"),
            attachments=attachments,
            automatic=automatic(message, address),
            bounces=bounces,
            report=report,
            returned_ids=returned,
        )
    except Unreadable:
        raise
    except Exception as error:  # an unreadable message is quarantined, not fatal
        raise Unreadable(
            f"unreadable: {type(error).__name__}: {one_line(str(error))[:200]}",
            key=key,
            sender=sender,
            subject=subject,
        ) from error


# --- HTML to text ---------------------------------------------------------------------------

BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul"),
    }
)
SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
LINK_SCHEMES = ("http://", "https://", "mailto:")


class _Text(HTMLParser):
    """Collects an HTML document's text (see `html_to_text`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.depth = 0  # blockquotes open
        self.line_depth = 0
        self.skipping = 0
        self.pre = 0
        self.links: list[tuple[str, int]] = []  # (href, where its text starts in the line)

    def newline(self) -> None:
        text = "".join(self.line).strip() if not self.pre else "".join(self.line).rstrip()
        if text or (self.lines and self.lines[-1] != ""):
            self.lines.append("> " * self.line_depth + text if text else "")
        self.line = []
        self.line_depth = self.depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.newline()
        elif tag in BLOCKS:
            self.newline()
            if tag == "blockquote":
                self.depth += 1
                self.line_depth = self.depth
            elif tag == "li":
                self.line.append("- ")
            elif tag == "pre":
                self.pre += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href.strip(), len("".join(self.line))))
        elif tag == "img":
            alt = one_line(dict(attrs).get("alt") or "")
            if alt:
                self.line.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.line.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.line)[start:].strip()
            if href.lower().startswith(LINK_SCHEMES) and href.removeprefix("mailto:") != shown:
                self.line.append(f" ({href})" if shown else href)
        elif tag in BLOCKS:
            self.newline()
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
                self.line_depth = self.depth
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            parts = data.split("\n")
            for index, part in enumerate(parts):
                if index:
                    self.newline()
                self.line.append(part)
            return
        text = re.sub(r"\s+", " ", data)
        if not self.line or "".join(self.line).endswith(" "):
            text = text.lstrip()
        self.line.append(text)


def html_to_text(html: str) -> str:
    """The text of an HTML mail: words, line breaks at blocks, `- ` before list items, links
    as `text (address)` (http, https and mailto only), `>` before quoted lines; nothing of it
    is rendered or run."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.newline()
    return "\n".join(parser.lines).strip()


# --- Quoted history -------------------------------------------------------------------------

WROTE = re.compile(
    r"^\s*(on\b.{0,300}\bwrote|le\b.{0,300}\ba écrit|am\b.{0,300}\bschrieb.{0,200}"
    r"|el\b.{0,300}\bescribió|il\b.{0,300}\bha scritto|op\b.{0,300}\bschreef.{0,200}"
    r"|.{0,300}\b(wrote|skrev|kirjoitti|napisał|escreveu))\s*:\s*$",
    re.I,
)
ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$",
    re.I,
)
HEADER_BLOCK_START = re.compile(r"^\s*\*?(from|von|de|van|da)\s*:\*?\s+\S", re.I)
HEADER_BLOCK_NEXT = re.compile(
    r"^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|to|an|à)\s*:", re.I
)
SIGNATURE = re.compile(r"^-- ?$")
PHONE_FOOTER = re.compile(
    r"^\s*(sent from my \w+|sent from (mail|outlook) for \w+|get outlook for \w+"
    r"|von meinem \w+ gesendet|envoyé de mon \w+|enviado desde mi \w+|sent from yahoo mail)",
    re.I,
)
UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")


def _wrapped_attribution(lines: list[str], index: int) -> bool:
    """An attribution a client wrapped onto a second, short line ("On ... <a@b>" / "wrote:")."""
    if index + 1 >= len(lines) or not lines[index].strip() or lines[index].startswith(">"):
        return False
    following = lines[index + 1]
    if len(following.strip()) > 40 or WROTE.match(following):
        return False
    return WROTE.match(f"{lines[index]} {following}") is not None


def _cut_at(lines: list[str]) -> int | None:
    """Where the quoted history (or the signature) starts, or None."""
    for index, line in enumerate(lines):
        ahead = [later for later in lines[index + 1 : index + 6] if later.strip()]
        if WROTE.match(line) or _wrapped_attribution(lines, index):
            return index
        if line.rstrip().endswith(":") and ahead and ahead[0].startswith(">"):
            return index
        if ORIGINAL.match(line) or SIGNATURE.match(line) or PHONE_FOOTER.match(line):
            return index
        if UNDERSCORES.match(line) and ahead and HEADER_BLOCK_START.match(ahead[0]):
            return index
        if HEADER_BLOCK_START.match(line) and any(HEADER_BLOCK_NEXT.match(a) for a in ahead[:3]):
            return index
    return None


def strip_quoted(text: str) -> str:
    """`text` without its quoted history (see the module docstring); the whole text when
    nothing would be left."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _cut_at(lines)
    kept = lines[:cut] if cut is not None else lines
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()
