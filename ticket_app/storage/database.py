"""Files in the desk's database: a blob's bytes as numbered chunks of at most a megabyte.

Written in the transaction that stores the message, so backups, workers and instances need
nothing more and no file outlives (or is missing from) its message. Read back one chunk per
short transaction: a download of any size holds no connection between pieces and never more
than one chunk in memory.
"""

from collections.abc import Iterator
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ticket_app.models import AttachmentChunk
from ticket_app.services.transaction import transaction
from ticket_app.storage import CHUNK_BYTES

CHUNKS = AttachmentChunk.__table__


class DatabaseStore:
    stages = False

    def stage(self, sha256: str, source: BinaryIO) -> str | None:
        return None

    def write(self, connection: Connection, sha256: str, source: BinaryIO) -> None:
        source.seek(0)
        seq = 0
        while chunk := source.read(CHUNK_BYTES):
            connection.execute(sa.insert(CHUNKS).values(sha256=sha256, seq=seq, data=chunk))
            seq += 1

    def read(self, sha256: str, key: str | None) -> Iterator[bytes]:
        query = sa.select(CHUNKS.c.data).where(
            CHUNKS.c.sha256 == sha256, CHUNKS.c.seq == sa.bindparam("seq")
        )
        seq = 0
        while True:
            with transaction() as connection:
                data = connection.execute(query, {"seq": seq}).scalar()
            if data is None:
                return
            yield bytes(data)
            seq += 1

    def discard(self, key: str | None) -> None:
        return None
