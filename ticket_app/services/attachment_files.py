"""Files on their way into a message, and the stored files of tickets and comments: the part
of attachments that the tickets and comments services share with `attachments`.

An upload is checked against the limits (`ATTACHMENT_MAX_BYTES` a file,
`ATTACHMENT_MAX_MESSAGE_BYTES` and `ATTACHMENTS_PER_MESSAGE` a message), its name is cleaned
(no path, no control characters), its type is read from its content with `filetype` (never
from the name or the client's header), a raster image gets a PNG thumbnail made once with
Pillow under its decompression-bomb guard, and clamd scans it when `CLAMD_URL` is set. All of
that happens before the transaction, reading the spooled file a megabyte at a time; inside
the message's transaction `Batch.attach` records the files, storing each content once (by
SHA-256). When attachments go, `collect` drops the blobs nobody refers to any more.
"""

import hashlib
import io
import logging
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import filetype  # type: ignore[import-untyped]
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import (
    ATTACHMENT_FILENAME_MAX_LENGTH,
    ATTACHMENTS_PER_MESSAGE,
    INLINE_IMAGE_TYPES,
    AttachmentState,
)
from ticket_app.models import Attachment, AttachmentBlob
from ticket_app.services.errors import InvalidInput, ServiceError, TooLarge
from ticket_app.services.schemas import AttachmentRead
from ticket_app.services.transaction import transaction
from ticket_app.storage import CHUNK_BYTES, Store, get_store
from ticket_app.storage.clamd import ScannerUnavailable, scan

logger = logging.getLogger(__name__)

ATTACHMENTS = Attachment.__table__
BLOBS = AttachmentBlob.__table__
SNIFF_BYTES = 8192
UNKNOWN_TYPE = "application/octet-stream"
THUMBNAIL_PIXELS = 320
# Pillow refuses images over twice this, and we turn its warning above it into a refusal
# too: 25 megapixels covers 5K screenshots and 24 MP photos; a decompression bomb (a few
# kilobytes that unpack to gigabytes) gets no thumbnail and is only ever a download.
MAX_IMAGE_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
PILLOW_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


@dataclass(frozen=True)
class IncomingFile:
    """A file as a client sent it: the name it gave and its bytes (a seekable file)."""

    filename: str
    file: BinaryIO


@dataclass
class Prepared:
    """A checked upload, ready to be recorded: what the attachment row will say."""

    filename: str
    file: BinaryIO
    size: int
    sha256: str
    content_type: str
    state: AttachmentState
    thumbnail: bytes | None = None
    thumbnail_sha256: str | None = None


def _mib(size: int) -> str:
    return f"{size:,} bytes ({size / 1024 / 1024:g} MiB)"


def check_count(count: int) -> None:
    if count > ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput.single(
            "file", f"at most {ATTACHMENTS_PER_MESSAGE} files a message (got {count})"
        )


def check_file_size(size: int, filename: str) -> None:
    """TooLarge once a file's bytes so far pass ATTACHMENT_MAX_BYTES."""
    limit = get_settings().attachment_max_bytes
    if size > limit:
        raise TooLarge(
            f"{clean_filename(filename)} is larger than ATTACHMENT_MAX_BYTES, the limit of"
            f" {_mib(limit)} a file.",
            setting="ATTACHMENT_MAX_BYTES",
        )


def check_message_size(total: int) -> None:
    """TooLarge once a message's files together pass ATTACHMENT_MAX_MESSAGE_BYTES."""
    limit = get_settings().attachment_max_message_bytes
    if total > limit:
        raise TooLarge(
            f"The files are larger together than ATTACHMENT_MAX_MESSAGE_BYTES, the limit of"
            f" {_mib(limit)} a message.",
            setting="ATTACHMENT_MAX_MESSAGE_BYTES",
        )


def clean_filename(raw: str) -> str:
    """The last part of a path a client sent as the name, without control or format
    characters and leading dots, at most 255 characters (the extension kept); `file` when
    nothing is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = name.strip().lstrip(".").strip() or "file"
    if len(name) > ATTACHMENT_FILENAME_MAX_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:16] if dot else ""
        keep = ATTACHMENT_FILENAME_MAX_LENGTH - len(suffix) - len(dot)
        name = (stem[:keep] + dot + suffix) if dot else name[:ATTACHMENT_FILENAME_MAX_LENGTH]
    return name


def sniff(head: bytes) -> str:
    """The type the first bytes say: a known binary format, else UTF-8 text, else unknown."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    if not head or b"\0" in head:
        return UNKNOWN_TYPE
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not just a character cut at the end of the head
            return UNKNOWN_TYPE
    return "text/plain"


def thumbnail(source: BinaryIO, content_type: str) -> bytes | None:
    """A PNG of at most 320×320 of a raster image whose decoded format agrees with its sniffed
    type, or None (not such an image, broken, or over the decompression-bomb guard)."""
    if content_type not in INLINE_IMAGE_TYPES:
        return None
    source.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if PILLOW_FORMATS.get(image.format or "") != content_type:
                    return None
                image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                small = image.convert("RGBA")
                out = io.BytesIO()
                small.save(out, "PNG", optimize=True)
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        logger.warning("no thumbnail for a decompression bomb: %s", error)
        return None
    except (OSError, ValueError, SyntaxError, EOFError):
        return None


def _scanned(pieces: Iterator[bytes] | list[bytes]) -> AttachmentState:
    url = get_settings().clamd_url
    if not url:
        return AttachmentState.STORED
    try:
        found = scan(url, pieces)
    except ScannerUnavailable as error:
        logger.warning("virus scanner unreachable, upload kept as pending: %s", error)
        return AttachmentState.PENDING
    if found:
        raise InvalidInput.single("file", f"the virus scanner found {found} in it")
    return AttachmentState.STORED


def _read_pieces(source: BinaryIO) -> Iterator[bytes]:
    source.seek(0)
    while piece := source.read(CHUNK_BYTES):
        yield piece


def _prepare_one(incoming: IncomingFile) -> Prepared:
    name = clean_filename(incoming.filename)
    digest = hashlib.sha256()
    size = 0
    head = b""
    for piece in _read_pieces(incoming.file):
        if len(head) < SNIFF_BYTES:
            head += piece[: SNIFF_BYTES - len(head)]
        size += len(piece)
        check_file_size(size, name)
        digest.update(piece)
    content_type = sniff(head)
    small = thumbnail(incoming.file, content_type)
    state = _scanned(_read_pieces(incoming.file))
    prepared = Prepared(name, incoming.file, size, digest.hexdigest(), content_type, state)
    if small is not None:
        prepared.thumbnail = small
        prepared.thumbnail_sha256 = hashlib.sha256(small).hexdigest()
    return prepared


def _known(sha256s: set[str]) -> set[str]:
    with transaction() as connection:
        found = connection.execute(sa.select(BLOBS.c.sha256).where(BLOBS.c.sha256.in_(sha256s)))
        return set(found.scalars())


@dataclass
class Batch:
    """The checked files of one message: `attach` records them inside its transaction."""

    files: list[Prepared]
    store: Store
    staged: dict[str, str | None] = field(default_factory=dict)  # object key per sha256
    used: set[str] = field(default_factory=set)  # staged keys a committed blob row names

    def _contents(self) -> Iterator[tuple[str, BinaryIO, int]]:
        for item in self.files:
            yield item.sha256, item.file, item.size
            if item.thumbnail is not None and item.thumbnail_sha256 is not None:
                yield item.thumbnail_sha256, io.BytesIO(item.thumbnail), len(item.thumbnail)

    def stage(self) -> None:
        """Before the transaction: put the contents the store does not have yet."""
        if not self.store.stages:
            return
        known = _known({sha256 for sha256, _, _ in self._contents()})
        for sha256, source, _ in self._contents():
            if sha256 not in known and sha256 not in self.staged:
                self.staged[sha256] = self.store.stage(sha256, source)

    def _blob(self, connection: Connection, sha256: str, source: BinaryIO, size: int) -> None:
        key = self.staged.get(sha256)
        values = {"sha256": sha256, "size": size, "store_key": key}
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        created = connection.execute(
            insert(BLOBS).values(**values).on_conflict_do_nothing().returning(BLOBS.c.sha256)
        ).first()
        if created is None:
            return
        if self.store.stages and key is None:
            # An object store's blob went between `stage` and now: upload it after all.
            raise _Restage()
        self.store.write(connection, sha256, source)
        if key:
            self.used.add(key)

    def attach(
        self, connection: Connection, *, uploader_id: int, ticket_id: int, comment_id: int | None
    ) -> list[AttachmentRead]:
        """Record the files on the ticket (and comment) inside the caller's transaction."""
        for sha256, source, size in self._contents():
            self._blob(connection, sha256, source, size)
        if not self.files:
            return []
        rows = connection.execute(
            sa.insert(ATTACHMENTS).returning(*ATTACHMENTS.c),
            [
                {
                    "ticket_id": ticket_id,
                    "comment_id": comment_id,
                    "uploader_id": uploader_id,
                    "filename": item.filename,
                    "size": item.size,
                    "content_type": item.content_type,
                    "sha256": item.sha256,
                    "thumbnail_sha256": item.thumbnail_sha256,
                    "state": item.state.value,
                }
                for item in self.files
            ],
        ).all()
        return sorted((read(row) for row in rows), key=lambda attachment: attachment.id)

    def discard(self, *, committed: bool) -> None:
        """After the transaction: remove staged objects no committed blob row names."""
        for key in self.staged.values():
            if key and not (committed and key in self.used):
                self.store.discard(key)


class _Restage(Exception):
    """A blob the batch expected to find was collected meanwhile; stage and try again."""


@contextmanager
def storing(files: Sequence[IncomingFile]) -> Iterator[Batch]:
    """The checked and staged files of one message; the caller runs its transaction (and
    `attach`) inside. Staged objects the transaction did not keep are removed afterwards."""
    check_count(len(files))
    prepared = [_prepare_one(incoming) for incoming in files]
    check_message_size(sum(item.size for item in prepared))
    batch = Batch(prepared, get_store())
    batch.stage()
    committed = False
    try:
        yield batch
        committed = True
    finally:
        batch.discard(committed=committed)


def with_restage(run: Any, files: Sequence[IncomingFile]) -> Any:
    """`run(batch)` inside `storing(files)`, once more if a blob was collected meanwhile."""
    try:
        with storing(files) as batch:
            return run(batch)
    except _Restage:
        with storing(files) as batch:
            return run(batch)


def read(row: Any) -> AttachmentRead:
    """An attachments row as the API lists it."""
    return AttachmentRead(
        id=row.id,
        ticket_id=row.ticket_id,
        comment_id=row.comment_id,
        filename=row.filename,
        size=row.size,
        content_type=row.content_type,
        sha256=row.sha256,
        state=row.state,
        thumbnail=row.thumbnail_sha256 is not None,
        created_at=row.created_at,
    )


def of_tickets(connection: Connection, ticket_ids: list[int]) -> dict[int, list[AttachmentRead]]:
    """The files that came with each ticket itself (not with a comment), oldest first."""
    if not ticket_ids:
        return {}
    query = (
        sa.select(*ATTACHMENTS.c)
        .where(ATTACHMENTS.c.ticket_id.in_(ticket_ids), ATTACHMENTS.c.comment_id.is_(None))
        .order_by(ATTACHMENTS.c.ticket_id, ATTACHMENTS.c.id)
    )
    found: dict[int, list[AttachmentRead]] = {}
    for row in connection.execute(query):
        found.setdefault(row.ticket_id, []).append(read(row))
    return found


def of_comments(connection: Connection, comment_ids: list[int]) -> dict[int, list[AttachmentRead]]:
    """Each comment's files, oldest first (the caller read only comments the actor sees)."""
    if not comment_ids:
        return {}
    query = (
        sa.select(*ATTACHMENTS.c)
        .where(ATTACHMENTS.c.comment_id.in_(comment_ids))
        .order_by(ATTACHMENTS.c.comment_id, ATTACHMENTS.c.id)
    )
    found: dict[int, list[AttachmentRead]] = {}
    for row in connection.execute(query):
        found.setdefault(row.comment_id, []).append(read(row))
    return found


def blobs_of_ticket(connection: Connection, ticket_id: int) -> set[str]:
    """The contents a ticket's files (and thumbnails) use: what to collect once it is gone."""
    rows = connection.execute(
        sa.select(ATTACHMENTS.c.sha256, ATTACHMENTS.c.thumbnail_sha256).where(
            ATTACHMENTS.c.ticket_id == ticket_id
        )
    )
    return {sha256 for row in rows for sha256 in row if sha256 is not None}


def collect(sha256s: set[str]) -> None:
    """Drop the blobs among `sha256s` that no attachment refers to any more, then their
    objects. Best effort, after the deletion committed: a blob a concurrent upload just
    took is kept (its reference stops the delete), and a failure leaves garbage, not loss."""
    if not sha256s:
        return
    referenced = sa.or_(
        sa.exists().where(ATTACHMENTS.c.sha256 == BLOBS.c.sha256),
        sa.exists().where(ATTACHMENTS.c.thumbnail_sha256 == BLOBS.c.sha256),
    )
    try:
        with transaction(write=True) as connection:
            gone = connection.execute(
                sa.delete(BLOBS)
                .where(BLOBS.c.sha256.in_(sha256s), sa.not_(referenced))
                .returning(BLOBS.c.store_key)
            ).all()
    except ServiceError:  # garbage left behind is not worth failing a deletion over
        logger.warning("could not collect %d unused blobs", len(sha256s), exc_info=True)
        return
    store = get_store()
    for (key,) in gone:
        store.discard(key)
