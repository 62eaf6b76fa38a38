"""The admins' mail page as the browser shows it: a line per mail of the outbox, a line per
person whose mail bounced, one mail opened as it would go out (its parts as text only), and a
line per quarantined message (its original downloads through the UI's session route)."""

from dataclasses import dataclass, field

from ticket_app.services.inbound import InboundRead
from ticket_app.services.outbox import Bounced, MailPreview, MailRead
from ticket_app.ui.labels import MAIL_STATE_LABELS
from ticket_app.ui.viewmodels.attachments import size_label
from ticket_app.ui.viewmodels.ticket_mail import raw_href


@dataclass(frozen=True)
class MailRow:
    id: int
    state: str
    state_label: str
    recipient: str
    subject: str
    attempts: int
    last_error: str
    created_at: str
    sent_at: str
    failed: bool


@dataclass(frozen=True)
class BouncedRow:
    id: int
    name: str
    email: str
    bounced_at: str


@dataclass(frozen=True)
class QuarantineRow:
    id: int
    received_at: str
    sender: str
    subject: str
    size: str
    reason: str
    href: str


@dataclass(frozen=True)
class OpenedMail:
    """One mail: its headers, its text part, and its HTML part as a string (shown only as
    source or inside a sandboxed frame, never as markup of the desk's own origin)."""

    id: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""


def mail_row(mail: MailRead) -> MailRow:
    return MailRow(
        id=mail.id,
        state=mail.state,
        state_label=MAIL_STATE_LABELS.get(mail.state, mail.state),
        recipient=mail.recipient,
        subject=mail.subject,
        attempts=mail.attempts,
        last_error=mail.last_error or "",
        created_at=mail.created_at.isoformat(),
        sent_at=mail.sent_at.isoformat() if mail.sent_at else "",
        failed=mail.state == "failed",
    )


def bounced_row(person: Bounced) -> BouncedRow:
    return BouncedRow(person.id, person.name, person.email, person.bounced_at.isoformat())


def opened(mail_id: int, preview: MailPreview) -> OpenedMail:
    headers = [{"name": name, "value": value} for name, value in preview.headers]
    return OpenedMail(mail_id, headers, preview.text, preview.html)


def quarantine_row(mail: InboundRead) -> QuarantineRow:
    return QuarantineRow(
        id=mail.id,
        received_at=mail.received_at.isoformat(),
        sender=mail.sender or "(unknown sender)",
        subject=mail.subject or "(no subject)",
        size=size_label(mail.size),
        reason=mail.reason,
        href=raw_href(mail.id),
    )
