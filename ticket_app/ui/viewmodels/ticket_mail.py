"""A ticket's mail as its page shows staff: the origin line ("Arrived by mail from ...") and
one line per message received or sent, in order. A received message links to its original
(.eml) through the UI's download route, which checks the viewer's session on every request."""

from dataclasses import dataclass

from ticket_app.models import InboundOutcome, MailKind
from ticket_app.services.mail_thread import ThreadMail, TicketMail
from ticket_app.ui.labels import MAIL_STATE_LABELS

OUTCOME_LABELS: dict[str, str] = {
    InboundOutcome.CREATED: "Opened this ticket",
    InboundOutcome.APPENDED: "Added as a reply",
    InboundOutcome.IGNORED: "Recorded only",
    InboundOutcome.QUARANTINED: "Held in quarantine",
}
KIND_LABELS: dict[str, str] = {
    MailKind.TICKET_RECEIVED: "receipt",
    MailKind.PUBLIC_REPLY: "reply",
    MailKind.TICKET_RESOLVED: "resolved notice",
    MailKind.ASSIGNED: "assignment notice",
    MailKind.REQUESTER_REPLIED: "notice of a requester's reply",
    MailKind.MENTIONED: "mention notice",
    MailKind.NEW_UNASSIGNED: "new-ticket notice",
    MailKind.SLA_WARNING: "service-level notice",
    MailKind.SIGNIN_LINK: "sign-in link",
}
TONES: dict[str, str] = {
    InboundOutcome.CREATED: "grass",
    InboundOutcome.APPENDED: "blue",
    InboundOutcome.IGNORED: "gray",
    InboundOutcome.QUARANTINED: "amber",
    "queued": "amber",
    "sending": "blue",
    "sent": "grass",
    "failed": "red",
}


def raw_href(mail_id: int) -> str:
    """Where the browser downloads a received message as it arrived."""
    return f"/download/mail/{mail_id}"


@dataclass(frozen=True)
class MailOrigin:
    """How the ticket arrived; empty `sender` when it did not come by mail."""

    sender: str = ""
    at: str = ""
    href: str = ""


@dataclass(frozen=True)
class MailLine:
    id: int
    direction: str  # "Received" or "Sent"
    inbound: bool
    sender: str
    recipient: str
    subject: str
    at: str
    state: str
    state_label: str
    tone: str
    note: str  # how a received one was threaded; why a sent one failed
    kind: str  # what a sent one is ("reply", "receipt"); "" for received
    href: str  # the original of a received one; "" for sent


def _line(mail: ThreadMail) -> MailLine:
    labels = OUTCOME_LABELS if mail.inbound else MAIL_STATE_LABELS
    return MailLine(
        id=mail.id,
        direction="Received" if mail.inbound else "Sent",
        inbound=mail.inbound,
        sender=mail.sender,
        recipient=mail.recipient,
        subject=mail.subject or "(no subject)",
        at=mail.at.isoformat(),
        state=mail.state,
        state_label=labels.get(mail.state, mail.state),
        tone=TONES.get(mail.state, "gray"),
        note=mail.note,
        kind=KIND_LABELS.get(mail.kind, mail.kind),
        href=raw_href(mail.id) if mail.inbound else "",
    )


def to_mail_view(found: TicketMail) -> tuple[MailOrigin, list[MailLine]]:
    origin = MailOrigin()
    if found.origin is not None:
        mail = found.origin
        origin = MailOrigin(mail.sender, mail.at.isoformat(), raw_href(mail.id))
    return origin, [_line(mail) for mail in found.thread]
