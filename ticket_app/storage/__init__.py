"""Where attached files' bytes live: the desk's database (the default) or an S3-compatible
object store (`ATTACHMENT_STORE=s3://...`), behind one small interface.

The services decide what is stored (one blob per SHA-256, in `attachment_blobs`); a store only
moves bytes. A store whose bytes live in the database writes them inside the caller's
transaction (`write`), so a file is committed with its message; an object store uploads
before the transaction (`stage`) under a key of its own, which the blob row then names, and
deletes the object once the row is gone (`discard`). Both read back in pieces, so neither
direction ever holds a whole file in memory.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO, Protocol

from sqlalchemy.engine import Connection

from ticket_app.config import get_settings

CHUNK_BYTES = 1024 * 1024


class Store(Protocol):
    stages: bool  # puts bytes before the transaction (an object store)

    def stage(self, sha256: str, source: BinaryIO) -> str | None:
        """Before the transaction: put the bytes somewhere; the key to record (or None)."""
        ...

    def write(self, connection: Connection, sha256: str, source: BinaryIO) -> None:
        """Inside the transaction that creates the blob row: write its bytes there."""
        ...

    def read(self, sha256: str, key: str | None) -> Iterator[bytes]:
        """The blob's bytes, a piece at a time."""
        ...

    def discard(self, key: str | None) -> None:
        """Remove a staged object nobody refers to (a no-op for database bytes)."""
        ...


@lru_cache(maxsize=1)
def get_store() -> Store:
    """The store `ATTACHMENT_STORE` names; tests call `get_store.cache_clear()`."""
    url = get_settings().attachment_store
    if url.startswith("s3://"):
        from ticket_app.storage.s3 import S3Store

        return S3Store.from_url(url)
    from ticket_app.storage.database import DatabaseStore

    return DatabaseStore()
