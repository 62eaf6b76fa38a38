"""What a mail says and how mail clients thread it: one template per kind, rendered to plain
text and to HTML (user text escaped there), and the headers that make mail behave like mail.

- Subject `[#123] Title`, so people and filters see the ticket at a glance.
- Message-IDs are signed: `<t123.NONCE.SIGNATURE@desk-domain>`, the signature an HMAC of the
  ticket and nonce under the desk's key. A reply's In-Reply-To/References then name their
  ticket (`ticket_of_message_id`) and a made-up one names none, without a table lookup.
- Every mail of a ticket to one person replies to the one before it (`In-Reply-To`), and
  `References` starts at the ticket's thread root (a signed id no mail carries), so clients
  thread them even when an earlier mail was deleted.
- With MAIL_REPLY_ADDRESSES, Reply-To is the ticket's own signed address
  (`reply_address`), for clients that drop In-Reply-To and References.
- `Auto-Submitted: auto-generated` (RFC 3834) on all of them, so autoresponders stay quiet;
  notifications carry `List-Unsubscribe` with an https link and `List-Unsubscribe-Post`
  (RFC 8058): one click turns that kind's mail off, without signing in.
- The newest message comes first, then a short quote of the earlier public ones (never an
  internal note in a quote).

A requester's link to their ticket is a one-use sign-in link made when the mail is sent: the
stored parts carry a random marker in its place (`with_link`).
"""

import base64
import hashlib
import hmac
import html
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate
from typing import Any

from ticket_app.config import get_settings
from ticket_app.models.mail import SUBJECT_MAX_LENGTH, MailKind
from ticket_app.services.secrets import signing_key

SIGNATURE_BYTES = 15  # 120 bits, 24 base32 characters
QUOTED_MESSAGES = 3
QUOTE_CHARS = 400
REFERENCES_KEPT = 10
ROOT = "root"
LINK_PATH = "/auth/link"
UNSUBSCRIBE_PATH = "/auth/unsubscribe"
ADMIN_LINK_STANDIN = "ONE-USE-TOKEN-MADE-WHEN-SENT"
REPLY_SIGNATURE_CHARS = 16  # 80 bits: the address stays short enough for every mail client


def _sign(purpose: str, text: str) -> str:
    mac = hmac.new(signing_key(), f"{purpose}:{text}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:SIGNATURE_BYTES]).decode().lower()


def _domain() -> str:
    return get_settings().mail_address.rpartition("@")[2]


def _message_id(ticket_id: int, nonce: str) -> str:
    local = f"t{ticket_id}.{nonce}"
    return f"<{local}.{_sign('message-id', local)}@{_domain()}>"


def message_id(ticket_id: int | None) -> str:
    """A new signed Message-ID for a mail about `ticket_id` (0 for a mail about no ticket)."""
    return _message_id(ticket_id or 0, secrets.token_hex(8))


def thread_root(ticket_id: int) -> str:
    """The ticket's thread root: the first entry of every mail's References."""
    return _message_id(ticket_id, ROOT)


def ticket_of_message_id(mid: str) -> int | None:
    """The ticket a Message-ID of ours names, or None when it is not ours, not signed by this
    desk's key, or names no ticket. Any domain: the desk's address may have changed since."""
    local = mid.strip().removeprefix("<").removesuffix(">").rpartition("@")[0]
    ticket, _, rest = local.partition(".")
    nonce, _, signature = rest.partition(".")
    if not (ticket.startswith("t") and ticket[1:].isdigit() and nonce and signature):
        return None
    expected = _sign("message-id", f"{ticket}.{nonce}")
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    number = int(ticket[1:])
    return number or None


def reply_address(ticket_id: int) -> str:
    """The ticket's own reply address, `support+t123.SIGNATURE@domain` (MAIL_REPLY_ADDRESSES):
    signed, so nobody makes one for a ticket that is not theirs to name."""
    local, _, domain = get_settings().mail_address.rpartition("@")
    tag = f"t{ticket_id}"
    return f"{local}+{tag}.{_sign('reply-address', tag)[:REPLY_SIGNATURE_CHARS]}@{domain}"


def ticket_of_reply_address(address: str) -> int | None:
    """The ticket a reply address of ours names (any domain), or None."""
    local = address.strip().lower().rpartition("@")[0]
    tag, _, signature = local.rpartition("+")[2].partition(".")
    if not (tag.startswith("t") and tag[1:].isdigit() and signature) or "+" not in local:
        return None
    expected = _sign("reply-address", tag)[:REPLY_SIGNATURE_CHARS]
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return int(tag[1:]) or None


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A lasting token (RFC 8058 links must work for a long time) that turns one kind of mail
    off for one person; signed, so nobody can make one for someone else."""
    text = f"{user_id}.{kind}"
    return f"{text}.{_sign('unsubscribe', text)}"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token made by `unsubscribe_token`, or None."""
    user, _, rest = token.partition(".")
    kind, _, signature = rest.partition(".")
    if not (user.isdigit() and kind and signature):
        return None
    if not hmac.compare_digest(signature.encode(), _sign("unsubscribe", f"{user}.{kind}").encode()):
        return None
    return int(user), kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    return f"{get_settings().app_url}{UNSUBSCRIBE_PATH}?token={unsubscribe_token(user_id, kind)}"


def one_line(text: str) -> str:
    """Text fit for a header: whitespace (line breaks included) collapsed."""
    return " ".join(text.split())


def subject(ticket_id: int | None, title: str) -> str:
    tagged = f"[#{ticket_id}] {one_line(title)}" if ticket_id else one_line(title)
    return tagged[:SUBJECT_MAX_LENGTH]


@dataclass(frozen=True)
class Template:
    """One kind of mail: `lead` says what happened, the message follows (when there is one),
    then `after` (what the reader can do by mail) and the link called `action`."""

    lead: str
    action: str
    after: str = ""
    why: str = "You get this mail about your request."


TEMPLATES: dict[MailKind, Template] = {
    MailKind.TICKET_RECEIVED: Template(
        lead="We received your request #{number}: {title}",
        after="Reply to this mail to add to it.",
        action="View your request",
    ),
    MailKind.PUBLIC_REPLY: Template(
        lead="{actor} replied to request #{number}: {title}",
        after="Reply to this mail to answer.",
        action="View the request",
    ),
    MailKind.TICKET_RESOLVED: Template(
        lead="{actor} marked request #{number} resolved: {title}",
        after="If something is still wrong, reply to this mail to reopen it.",
        action="View the request",
    ),
    MailKind.ASSIGNED: Template(
        lead="{actor} assigned #{number} to you: {title}",
        action="Open the ticket",
        why="You get this mail when a ticket is assigned to you.",
    ),
    MailKind.REQUESTER_REPLIED: Template(
        lead="{actor} replied on #{number}, assigned to you: {title}",
        action="Open the ticket",
        why="You get this mail when a requester replies on a ticket assigned to you.",
    ),
    MailKind.MENTIONED: Template(
        lead="{actor} mentioned you in an internal note on #{number}: {title}",
        action="Open the ticket",
        why="You get this mail when a colleague mentions you in a note.",
    ),
    MailKind.NEW_UNASSIGNED: Template(
        lead="New ticket #{number} from {actor}, not assigned yet: {title}",
        action="Open the ticket",
        why="You get this mail for every new unassigned ticket, as you chose.",
    ),
    MailKind.SLA_WARNING: Template(
        lead="Service level on #{number}: {title}",
        action="Open the ticket",
        why="You get this mail when a ticket assigned to you (or, unassigned, any ticket, as"
        " an admin) nears or passes a service-level due time.",
    ),
    MailKind.SIGNIN_LINK: Template(
        lead="Here is your sign-in link for {desk}. It works once, for {minutes} minutes.",
        after="If you did not ask for it, ignore this mail: nothing changes.",
        action="Sign in",
        why="You get this mail because someone asked for a sign-in link for this address.",
    ),
}


@dataclass(frozen=True)
class Quoted:
    author: str
    body: str


@dataclass(frozen=True)
class Parts:
    """A rendered mail: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def _short(body: str) -> str:
    body = body.strip()
    return body if len(body) <= QUOTE_CHARS else body[:QUOTE_CHARS].rstrip() + " …"


def render(
    kind: MailKind,
    *,
    ticket_id: int | None,
    title: str,
    actor: str,
    message: str | None,
    quote: list[Quoted],
    link: str,
    unsubscribe: str | None,
) -> Parts:
    """The mail of `kind`: `message` is the newest message (shown whole), `quote` the earlier
    ones (newest first, shortened), `link` where the action button leads."""
    template = TEMPLATES[kind]
    settings = get_settings()
    values = {
        "number": str(ticket_id or ""),
        "title": one_line(title),
        "actor": one_line(actor),
        "desk": settings.mail_name,
        "minutes": str(settings.signin_link_minutes),
    }
    escaped = {key: html.escape(value) for key, value in values.items()}
    text = [template.lead.format(**values), ""]
    page = [f"<p>{template.lead.format(**escaped)}</p>"]
    if message:
        text += [message.strip(), ""]
        page.append(f'<div style="white-space: pre-wrap">{html.escape(message.strip())}</div>')
    for earlier in quote:
        lines = _short(earlier.body).splitlines() or [""]
        text += [f"{one_line(earlier.author)} wrote:", *(f"> {line}" for line in lines), ""]
        page.append(
            f"<p>{html.escape(one_line(earlier.author))} wrote:</p>"
            '<blockquote style="white-space: pre-wrap; color: #555">'
            f"{html.escape(_short(earlier.body))}</blockquote>"
        )
    if template.after:
        text += [template.after, ""]
        page.append(f"<p>{html.escape(template.after)}</p>")
    text += [f"{template.action}: {link}", "", "-- ", template.why]
    page.append(f'<p><a href="{html.escape(link)}">{html.escape(template.action)}</a></p>')
    footer = html.escape(template.why)
    if unsubscribe:
        text.append(f"Stop these mails: {unsubscribe}")
        footer += f' <a href="{html.escape(unsubscribe)}">Stop these mails</a>'
    page.append(f'<hr><p style="color: #777; font-size: small">{footer}</p>')
    document = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        + "".join(page)
        + "</body></html>"
    )
    the_subject = subject(ticket_id, title) if ticket_id else template.action
    if kind is MailKind.SIGNIN_LINK:
        the_subject = f"Your sign-in link for {settings.mail_name}"
    return Parts(subject=the_subject, text="\n".join(text) + "\n", html=document)


def new_marker() -> str:
    """A stand-in for a sign-in token, unguessable, so no text a user wrote can contain it."""
    return "marker" + secrets.token_hex(16)


def signin_url(token: str) -> str:
    return f"{get_settings().app_url}{LINK_PATH}?token={token}"


def message(row: Any, *, link_token: str | None) -> EmailMessage:
    """The RFC 5322 message of an outbox row; `link_token` replaces the row's link marker
    (None: the admins' view, which shows a stand-in and never a usable link)."""
    settings = get_settings()
    text, page = row.body_text, row.body_html
    if row.link_marker:
        stand_in = link_token or ADMIN_LINK_STANDIN
        text = text.replace(row.link_marker, stand_in)
        page = page.replace(row.link_marker, stand_in)
    mail = EmailMessage(policy=SMTP)
    mail["From"] = formataddr((settings.mail_name, settings.mail_address))
    mail["To"] = row.recipient
    reply_to = settings.mail_address
    if settings.mail_reply_addresses and row.ticket_id:
        reply_to = reply_address(row.ticket_id)
    mail["Reply-To"] = reply_to
    mail["Subject"] = row.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = row.message_id
    if row.in_reply_to:
        mail["In-Reply-To"] = row.in_reply_to
    if row.thread_references:
        mail["References"] = row.thread_references
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Auto-Response-Suppress"] = "All"
    if row.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(text)
    mail.add_alternative(page, subtype="html")
    return mail
