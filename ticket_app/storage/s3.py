"""Files in an S3-compatible object store (AWS S3, MinIO, Ceph): `ATTACHMENT_STORE=
s3://bucket/prefix?endpoint=https://host:port&region=eu-west-1`.

Each stored blob is one object, uploaded before the database transaction that records it, at
`<prefix><sha256>/<random>`: a key of its own for every upload, so removing a blob nobody
refers to any more can never delete the object a concurrent upload of the same content has
just recorded. Uploads stream from the spooled file in 8 MiB parts on one thread, downloads
in 1 MiB pieces: memory stays at a part whatever the file's size. Credentials come from
boto3's usual sources (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, an instance role).
"""

import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

import boto3  # type: ignore[import-untyped]
from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]
from sqlalchemy.engine import Connection

from ticket_app.storage import CHUNK_BYTES

PART_BYTES = 8 * 1024 * 1024
TRANSFER = TransferConfig(
    multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False
)


class S3Store:
    stages = True

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> "S3Store":
        parts = urlsplit(url)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        prefix = parts.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        client = boto3.client(
            "s3", endpoint_url=query.get("endpoint") or None, region_name=query.get("region")
        )
        return cls(client, parts.hostname or "", prefix)

    def stage(self, sha256: str, source: BinaryIO) -> str | None:
        key = f"{self.prefix}{sha256}/{uuid.uuid4().hex}"
        source.seek(0)
        self.client.upload_fileobj(source, self.bucket, key, Config=TRANSFER)
        return key

    def write(self, connection: Connection, sha256: str, source: BinaryIO) -> None:
        return None

    def read(self, sha256: str, key: str | None) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def discard(self, key: str | None) -> None:
        if key:
            self.client.delete_object(Bucket=self.bucket, Key=key)
