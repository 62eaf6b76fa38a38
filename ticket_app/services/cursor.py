"""Opaque, tamper-evident cursors for keyset pagination.

A cursor holds the sort key of the last item on a page (a time and an id, and for the
priority order the priority's rank first) and is signed together with the list it was made
for (filters and sort, or a ticket's timeline), so a forged, truncated or
reused-elsewhere cursor is refused instead of silently returning the wrong page.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from ticket_app.services.errors import InvalidInput
from ticket_app.services.secrets import signing_key

_VERSION = 2
Position = tuple[Any, ...]  # (datetime, id) or (rank, datetime, id)


def _signature(payload: bytes, fingerprint: str) -> str:
    digest = hmac.new(signing_key(), payload + b"\x1e" + fingerprint.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:12]).decode().rstrip("=")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(position: Position, fingerprint: str) -> str:
    payload = json.dumps([_VERSION, *(_plain(value) for value in position)]).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_signature(payload, fingerprint)}"


def _position(values: list[Any]) -> Position:
    """The decoded key: whole numbers stay numbers, the one text is an aware time."""
    decoded: list[Any] = []
    for value in values:
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("naive time")
            decoded.append(moment)
        elif isinstance(value, int) and not isinstance(value, bool):
            decoded.append(value)
        else:
            raise ValueError("not a key value")
    if not decoded or not isinstance(decoded[-1], int):
        raise ValueError("no id")
    return tuple(decoded)


def decode_cursor(cursor: str, fingerprint: str) -> Position:
    """The position a cursor points after, or InvalidInput if it is not one of ours."""
    invalid = InvalidInput.single(
        "cursor", "is not a valid cursor for this list; start again without it"
    )
    body, _, signature = cursor.partition(".")
    if not cursor.isascii():  # ours never are, and compare_digest refuses other text
        raise invalid
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise invalid from None
    if not hmac.compare_digest(signature, _signature(payload, fingerprint)):
        raise invalid
    try:
        version, *values = json.loads(payload)
        if version != _VERSION:
            raise ValueError("old cursor")
        return _position(values)
    except (ValueError, TypeError):
        raise invalid from None
