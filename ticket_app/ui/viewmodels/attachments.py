"""Attached files as the ticket page shows them: a name, a type and a size to download, or a
thumbnail that opens the image large. Links go to the UI's download routes, which check the
viewer's session on every request (`api/downloads.py`), never to a stored address."""

from dataclasses import dataclass

from ticket_app.domain import AttachmentState
from ticket_app.services.schemas import AttachmentRead

DOWNLOADS = "/download/attachments"
KINDS = {
    "application/pdf": "PDF",
    "application/zip": "ZIP archive",
    "text/plain": "Text",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
}


@dataclass(frozen=True)
class FileView:
    """One attached file; `thumbnail` is "" unless it is shown as an image."""

    id: int
    name: str
    kind: str
    size: str
    href: str
    thumbnail: str = ""
    pending: bool = False


def size_label(size: int) -> str:
    """`512 bytes`, `12.3 KiB`, `4.5 MiB`: in the units the limits are said in."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def kind_label(content_type: str) -> str:
    return KINDS.get(content_type, content_type)


def to_files(attachments: list[AttachmentRead]) -> list[FileView]:
    return [
        FileView(
            id=item.id,
            name=item.filename,
            kind=kind_label(item.content_type),
            size=size_label(item.size),
            href=f"{DOWNLOADS}/{item.id}",
            thumbnail=f"{DOWNLOADS}/{item.id}/thumbnail" if item.thumbnail else "",
            pending=item.state == AttachmentState.PENDING,
        )
        for item in attachments
    ]
