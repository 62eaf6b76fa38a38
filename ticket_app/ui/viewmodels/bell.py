"""The header's bell as the browser shows it: a count and a line per unread notification,
each a sentence of plain text with the ticket it links to."""

from dataclasses import dataclass

from ticket_app.services.notifications import UNREAD_CAP, Bell, NotificationRead
from ticket_app.ui import routes
from ticket_app.ui.labels import NOTIFICATION_PHRASES


@dataclass(frozen=True)
class BellLine:
    """One unread notification: what happened, when, and the ticket's page."""

    id: int
    text: str
    at: str
    href: str


def line(item: NotificationRead) -> BellLine:
    who = item.actor_name or "Someone"
    phrase = NOTIFICATION_PHRASES.get(item.kind, item.kind)
    ticket = f"#{item.ticket_id} {item.ticket_title}" if item.ticket_id else "a ticket"
    href = routes.ticket_url(item.ticket_id) if item.ticket_id else routes.TICKETS
    return BellLine(item.id, f"{who} {phrase} {ticket}", item.created_at.isoformat(), href)


def count_label(bell: Bell) -> str:
    """'3', '99+', or '' when nothing is unread."""
    if not bell.count:
        return ""
    return f"{UNREAD_CAP}+" if bell.count > UNREAD_CAP else str(bell.count)
