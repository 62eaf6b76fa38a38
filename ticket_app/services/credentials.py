"""What browser sessions and API tokens share: random secrets, their stored digests, and a
brief cache of who a secret belongs to.

Secrets carry 256 bits from `secrets`, so a plain SHA-256 is the right digest (a slow hash
only matters for guessable passwords) and a lookup is one indexed equality. The cache keeps a
resolved identity for `AUTH_CACHE_SECONDS` (2 s by default): revocation bites within that.
While this process's live poller watches the access counter (which every revocation, role
change and deactivation moves, and on whose move the poller forgets every cached identity),
a valid browser session is kept up to WATCHED_SESSION_SECONDS instead, never past its own
expiry: a thousand open tabs then do not each ask the database who they are at every change.
"""

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

from ticket_app.config import get_settings
from ticket_app.models import User

T = TypeVar("T")
CACHE_SIZE = 4096
TOUCH_EVERY_SECONDS = 60  # last-used times are written at most this often per credential
WATCHED_SESSION_SECONDS = 60.0
USERS = User.__table__
# What a credential's lookup reads of its user: who it is, and whether they may still sign in.
USER_COLUMNS = (USERS.c.id, USERS.c.email, USERS.c.name, USERS.c.role, USERS.c.active)


def new_secret(prefix: str) -> str:
    """`prefix` plus 43 URL-safe characters of randomness."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The hex SHA-256 stored in place of a secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class BriefCache(Generic[T]):
    """A small thread-safe map from digest to a value, each kept for a few seconds."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, T | None]] = OrderedDict()
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: str) -> tuple[bool, T | None]:
        """(found, value); a cached None means "known to be invalid"."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[0] < time.monotonic():
                return False, None
            return True, entry[1]

    def put(self, key: str, value: T | None, ttl: float | None = None) -> None:
        """Keep `value` for `ttl` seconds (AUTH_CACHE_SECONDS by default; 0 keeps nothing)."""
        ttl = get_settings().auth_cache_seconds if ttl is None else ttl
        if ttl <= 0 or get_settings().auth_cache_seconds <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_caches: list[BriefCache[object]] = []


def forget_all() -> None:
    """Drop every cached identity in this process (after a revocation made here)."""
    for cache in _caches:
        cache.clear()


_access_watched = False


def watch_access(watched: bool) -> None:
    """The live poller reports whether it is reading the access counter; when it stops (or
    a read fails), every identity kept longer because of it is forgotten."""
    global _access_watched
    if _access_watched and not watched:
        forget_all()
    _access_watched = watched


def session_cache_seconds(valid_for: float) -> float:
    """How long a valid session's identity may be kept: AUTH_CACHE_SECONDS, or up to
    WATCHED_SESSION_SECONDS while the access counter is watched; never past `valid_for`."""
    ttl = get_settings().auth_cache_seconds
    if _access_watched:
        ttl = max(ttl, WATCHED_SESSION_SECONDS)
    return max(0.0, min(ttl, valid_for))
