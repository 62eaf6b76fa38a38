"""Opaque, tamper-evident cursors for keyset pagination.

A cursor holds the (created_at, id) of the last ticket on a page and is signed together with
the filters it was made for, so a forged, truncated or reused-under-other-filters cursor is
refused instead of silently returning the wrong page.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime

from ticket_app.config import get_settings
from ticket_app.services.errors import InvalidInput

_VERSION = 1


def _signature(payload: bytes, fingerprint: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, payload + b"\x1e" + fingerprint.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def encode_cursor(created_at: datetime, ticket_id: int, fingerprint: str) -> str:
    payload = json.dumps([_VERSION, created_at.isoformat(), ticket_id]).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_signature(payload, fingerprint)}"


def decode_cursor(cursor: str, fingerprint: str) -> tuple[datetime, int]:
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
        version, created_at, ticket_id = json.loads(payload)
        position = datetime.fromisoformat(created_at)
    except (ValueError, TypeError):
        raise invalid from None
    if version != _VERSION or not isinstance(ticket_id, int) or position.tzinfo is None:
        raise invalid
    return position, ticket_id
