"""The ticket page's timeline as the browser shows it: one line per thing that happened,
with the comment's text split into plain runs and links (never HTML)."""

from dataclasses import dataclass, field

from ticket_app.domain import HistoryKind
from ticket_app.services import users
from ticket_app.services.schemas import AttachmentRead
from ticket_app.services.timeline import TimelineEntry
from ticket_app.ui.labels import CATEGORY_LABELS, FIELD_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.viewmodels.attachments import FileView, to_files
from ticket_app.ui.viewmodels.rows import person_name, segments

VALUE_LABELS = {"category": CATEGORY_LABELS, "priority": PRIORITY_LABELS, "status": STATUS_LABELS}


@dataclass(frozen=True)
class TimelineItem:
    """One entry: who did what when, and the comment's text for replies and notes."""

    id: int
    kind: str
    summary: str
    actor: str
    via: str
    at: str
    internal: bool
    body_parts: list[dict[str, str]] = field(default_factory=list)
    origin: int = 0
    files: list[FileView] = field(default_factory=list)


def _value(name: str | None, value: str | None) -> str:
    if value is None:
        return "nothing"
    return VALUE_LABELS.get(name or "", {}).get(value, value)


def _pair(value: str | None) -> str:
    """'Technical / High' from 'technical/high'."""
    if not value or "/" not in value:
        return "nothing"
    category, priority = value.split("/", 1)
    return f"{_value('category', category)} / {_value('priority', priority)}"


def summary(entry: TimelineEntry, names: dict[int, str]) -> str:
    """What happened, as a phrase that follows the actor's name."""
    kind = entry.kind
    if kind == HistoryKind.CREATED:
        kept = _pair(entry.new_value)
        if entry.old_value is None:
            return f"created the ticket as {kept}"
        return f"created the ticket as {kept} (suggested: {_pair(entry.old_value)})"
    if kind == HistoryKind.COMMENTED:
        origin = f" on #{entry.comment_origin}" if entry.comment_origin else ""
        return ("replied" if entry.comment_public else "added an internal note") + origin
    if kind == HistoryKind.ASSIGNED:

        def who(value: str | None) -> str:
            return names.get(int(value), f"User #{value}") if value else "nobody"

        return f"assigned the ticket to {who(entry.new_value)} (was {who(entry.old_value)})"
    if kind == HistoryKind.MERGED:
        return f"merged #{entry.new_value} into this ticket"
    if kind == HistoryKind.MERGED_INTO:
        return f"merged this ticket into #{entry.new_value}"
    if kind == HistoryKind.MAIL:  # the pipeline's reason: "arrived by mail, matched by ..."
        return entry.new_value or "arrived by mail"
    label = FIELD_LABELS.get(entry.field or "", entry.field or "").lower()
    verb = "reopened the ticket:" if kind == HistoryKind.REOPENED else "changed"
    before = _value(entry.field, entry.old_value)
    return f"{verb} {label} from {before} to {_value(entry.field, entry.new_value)}"


def to_items(
    entries: list[TimelineEntry], files: dict[int, list[AttachmentRead]] | None = None
) -> list[TimelineItem]:
    """Timeline entries as the page shows them, naming assignees in one query; `files`: the
    attachments of the entries' comments, by comment id (only those the reader may see)."""
    files = files or {}
    ids = {
        int(value)
        for entry in entries
        if entry.kind == HistoryKind.ASSIGNED
        for value in (entry.old_value, entry.new_value)
        if value and value.isdigit()
    }
    people = users.people(ids)
    names = {ident: person_name(people.get(ident), ident) for ident in ids}
    return [
        TimelineItem(
            id=entry.id,
            kind=entry.kind,
            summary=summary(entry, names),
            actor=entry.actor_name or "The system",
            via=f"through the API (token “{entry.token_name}”)" if entry.token_name else "",
            at=entry.at.isoformat(),
            internal=(entry.comment_id is not None and not entry.comment_public)
            or entry.kind == HistoryKind.MAIL,
            body_parts=segments(entry.comment_body) if entry.comment_body else [],
            origin=entry.comment_origin or 0,
            files=to_files(files.get(entry.comment_id or 0, [])),
        )
        for entry in entries
    ]
