"""The optional virus scanner: ClamAV's daemon over its INSTREAM protocol (`CLAMD_URL`).

The file is sent in length-prefixed pieces ending with an empty one; clamd answers
`stream: OK` or `stream: <signature> FOUND`. A daemon that cannot be reached (or answers
nothing we understand) raises `ScannerUnavailable`: the caller keeps the file as pending
rather than losing it or passing it unscanned.
"""

import socket
import struct
from collections.abc import Iterable
from urllib.parse import urlsplit

PIECE_BYTES = 64 * 1024
TIMEOUT_SECONDS = 30.0


class ScannerUnavailable(Exception):
    """clamd could not be asked; the file's verdict is still open."""


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(TIMEOUT_SECONDS)
        unix.connect(parts.path)
        return unix
    return socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT_SECONDS)


def scan(url: str, pieces: Iterable[bytes]) -> str | None:
    """The signature clamd found in the file made of `pieces`, or None when it is clean."""
    try:
        with _connect(url) as connection:
            connection.sendall(b"zINSTREAM\0")
            for piece in pieces:
                for start in range(0, len(piece), PIECE_BYTES):
                    part = piece[start : start + PIECE_BYTES]
                    connection.sendall(struct.pack(">I", len(part)) + part)
            connection.sendall(struct.pack(">I", 0))
            answer = b""
            while not answer.endswith(b"\0") and (received := connection.recv(4096)):
                answer += received
    except OSError as error:
        raise ScannerUnavailable(str(error)) from None
    verdict = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if verdict.endswith(" OK"):
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removeprefix("stream:").removesuffix(" FOUND").strip()
    raise ScannerUnavailable(f"clamd answered {verdict!r}")
