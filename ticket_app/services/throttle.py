"""Attempts counted per key in a moving window, with the `limits` library.

In this process's memory on the embedded default; in Redis when the desk has one
(`REFLEX_REDIS_URL`), so every worker and instance counts the same attempts. Sign-in
throttling and the API's rate limits (per token and per client address) live here.
"""

import logging
import math
import time
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerMinute, storage, strategies

from ticket_app.config import get_settings
from ticket_app.services.errors import Throttled

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def limiter() -> strategies.MovingWindowRateLimiter:
    url = get_settings().redis_url
    store = storage.storage_from_string(url) if url else storage.MemoryStorage()
    return strategies.MovingWindowRateLimiter(store)


def retry_after(item: RateLimitItem, *identifiers: str) -> int:
    """Seconds until `identifiers` may try again under `item` (at least 1)."""
    reset_at = limiter().get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _sign_in_window() -> RateLimitItem:
    settings = get_settings()
    return RateLimitItemPerMinute(settings.sign_in_max_failures, settings.sign_in_window_minutes)


def _sign_in_keys(email: str, address: str) -> list[tuple[str, str]]:
    return [("sign-in-account", email.strip().lower()), ("sign-in-address", address)]


def check_sign_in(email: str, address: str) -> None:
    """Throttled while the account or the client address has used up its failed attempts."""
    item = _sign_in_window()
    try:
        blocked = [key for key in _sign_in_keys(email, address) if not limiter().test(item, *key)]
        if not blocked:
            return
        wait = max(retry_after(item, *key) for key in blocked)
    except Exception:  # a limiter outage must not lock everyone out; it is logged
        logger.exception("sign-in throttling is unavailable; allowing the attempt")
        return
    minutes = math.ceil(wait / 60)
    raise Throttled(
        f"Too many failed sign-in attempts. Try again in {minutes} minute"
        f"{'' if minutes == 1 else 's'}.",
        retry_after=wait,
    )


def record_sign_in_failure(email: str, address: str) -> None:
    item = _sign_in_window()
    try:
        for key in _sign_in_keys(email, address):
            limiter().hit(item, *key)
    except Exception:
        logger.exception("sign-in throttling is unavailable; the failure was not counted")


def forget_sign_in_failures(email: str) -> None:
    """A successful sign-in clears the account's failures (not the address's)."""
    item = _sign_in_window()
    try:
        limiter().clear(item, *_sign_in_keys(email, "")[0])
    except Exception:
        logger.exception("sign-in throttling is unavailable; failures were not cleared")


def check_api_rate(kind: str, key: str, per_minute: int) -> None:
    """Count one API request of `key` ("token" or "address" `kind`); Throttled once it has
    made `per_minute` requests in the last minute. 0 turns the limit off."""
    if per_minute <= 0:
        return
    item = RateLimitItemPerMinute(per_minute)
    try:
        if limiter().hit(item, f"api-{kind}", key):
            return
        wait = retry_after(item, f"api-{kind}", key)
    except Exception:  # a limiter outage must not take the API down; it is logged
        logger.exception("API rate limiting is unavailable; allowing the request")
        return
    noun = "API token" if kind == "token" else "client address"
    raise Throttled(
        f"This {noun} made more than {per_minute} requests in a minute. "
        f"Try again in {wait} second{'' if wait == 1 else 's'}.",
        retry_after=wait,
    )
