"""Attachments as a user meets them: adding files to a ticket, and opening one to download.

Files that come with a new ticket or a comment are added by the tickets and comments services
in their own transaction (`attachment_files.storing`); this module adds files to a ticket
itself (`POST /api/tickets/{id}/attachments/`) and serves them. Who may open a file is
`access.visible_attachments`: the visibility of its message, on every path (the API, the UI's
downloads and thumbnails). A file waiting for its virus scan is scanned again when asked for,
and served only once clean.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ticket_app.config import get_settings
from ticket_app.domain import INLINE_IMAGE_TYPES, MAX_TICKET_ID, AttachmentState
from ticket_app.models import Attachment, AttachmentBlob, Ticket, TicketComment, utc_now
from ticket_app.services import attachment_files
from ticket_app.services.access import Actor, visible_attachments
from ticket_app.services.attachment_files import Batch, IncomingFile
from ticket_app.services.errors import InvalidInput, NotFound, NotServed
from ticket_app.services.schemas import AttachmentRead
from ticket_app.services.tickets import locked, refuse_if_merged, visible
from ticket_app.services.transaction import transaction
from ticket_app.storage import get_store
from ticket_app.storage.clamd import ScannerUnavailable, scan

ATTACHMENTS = Attachment.__table__
BLOBS = AttachmentBlob.__table__
COMMENTS = TicketComment.__table__
TICKETS = Ticket.__table__
THUMBNAIL_TYPE = "image/png"


@dataclass(frozen=True)
class Download:
    """An attachment (or its thumbnail) ready to stream: `inline` only for raster images
    whose thumbnail could be made; `chunks` reads the bytes when iterated."""

    attachment: AttachmentRead
    content_type: str
    size: int
    inline: bool
    chunks: Iterator[bytes]


def add(actor: Actor, *, ticket_id: int, files: Sequence[IncomingFile]) -> list[AttachmentRead]:
    """Attach `files` to the ticket itself: every reader of the ticket sees them."""
    if not files:
        raise InvalidInput.single("file", "send at least one file")
    with transaction() as connection:
        refuse_if_merged(visible(connection, actor, ticket_id=ticket_id))

    def run(batch: Batch) -> list[AttachmentRead]:
        with transaction(write=True) as connection:
            ticket = locked(connection, actor, ticket_id=ticket_id)
            refuse_if_merged(ticket)
            added = batch.attach(
                connection, uploader_id=actor.id, ticket_id=ticket.id, comment_id=None
            )
            connection.execute(
                sa.update(TICKETS)
                .where(TICKETS.c.id == ticket.id)
                .values(updated_at=utc_now(), version=TICKETS.c.version + 1)
            )
            return added

    result: list[AttachmentRead] = attachment_files.with_restage(run, files)
    return result


def _row(actor: Actor, attachment_id: int, thumbnail: bool) -> Any:
    if not 1 <= attachment_id <= MAX_TICKET_ID:
        raise NotFound.thing("attachment", attachment_id)
    blob = ATTACHMENTS.c.thumbnail_sha256 if thumbnail else ATTACHMENTS.c.sha256
    query = (
        sa.select(*ATTACHMENTS.c, BLOBS.c.store_key, BLOBS.c.size.label("blob_size"))
        .join(TICKETS, TICKETS.c.id == ATTACHMENTS.c.ticket_id)
        .outerjoin(COMMENTS, COMMENTS.c.id == ATTACHMENTS.c.comment_id)
        .outerjoin(BLOBS, BLOBS.c.sha256 == blob)
        .where(ATTACHMENTS.c.id == attachment_id, *visible_attachments(actor))
    )
    with transaction() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound.thing("attachment", attachment_id)
    return row


def _rescan(row: Any) -> str:
    """A pending file's state after another try at scanning it (kept pending while clamd
    cannot be reached)."""
    url = get_settings().clamd_url
    if not url:
        return AttachmentState.STORED.value
    try:
        found = scan(url, get_store().read(row.sha256, row.store_key))
    except ScannerUnavailable:
        return AttachmentState.PENDING.value
    state = (AttachmentState.INFECTED if found else AttachmentState.STORED).value
    with transaction(write=True) as connection:
        connection.execute(
            sa.update(ATTACHMENTS).where(ATTACHMENTS.c.sha256 == row.sha256).values(state=state)
        )
    return str(state)


def open_file(actor: Actor, *, attachment_id: int, thumbnail: bool = False) -> Download:
    """The attachment (or its thumbnail) if the actor may read its message; NotFound
    otherwise, NotServed while it waits for a virus scan or after one found something."""
    row = _row(actor, attachment_id, thumbnail)
    if thumbnail and row.thumbnail_sha256 is None:
        raise NotFound(f"Attachment {attachment_id} has no thumbnail: it is not an image.")
    state = row.state
    if state == AttachmentState.PENDING.value:
        state = _rescan(row)
    if state == AttachmentState.PENDING.value:
        raise NotServed(
            f"Attachment {attachment_id} waits for its virus scan; try again in a minute."
        )
    if state == AttachmentState.INFECTED.value:
        raise NotServed(f"Attachment {attachment_id} was found infected; it is never served.")
    sha256 = row.thumbnail_sha256 if thumbnail else row.sha256
    inline = row.content_type in INLINE_IMAGE_TYPES and row.thumbnail_sha256 is not None
    return Download(
        attachment=attachment_files.read(row),
        content_type=THUMBNAIL_TYPE if thumbnail else row.content_type,
        size=row.blob_size,
        inline=thumbnail or inline,
        chunks=get_store().read(sha256, row.store_key),
    )
