"""Attempts counted per key in a window, with the `limits` library.

In this process's memory on the embedded default; in Redis when the desk has one
(`REFLEX_REDIS_URL`), so every worker and instance counts the same attempts. Sign-in
throttling, the current-password check of a password change, two-factor codes and the API's
rate limits (per token, per user on the expensive routes, and per client address) live here.

Password guesses are counted *before* the password is verified: each attempt reserves a slot
with one atomic increment that also says whether the slot was free, so forty simultaneous
guesses cannot all pass a check made before any of them failed. A success gives its slot
back; a failure keeps it. The keys follow OWASP's advice against lockout as a weapon:

- account and address together: refused after SIGN_IN_MAX_FAILURES, so a stranger's
  failures never refuse the owner's right password from another address;
- address alone: refused after SIGN_IN_ADDRESS_MAX_FAILURES, against one address trying a
  password on many accounts;
- account alone: never refused; once it has SIGN_IN_MAX_FAILURES failures in the window,
  every attempt on it waits SIGN_IN_SLOWDOWN_SECONDS first (`sign_in_delay`).

Those reserved slots live in fixed windows (a counter a failure keeps and a success gives
back; two windows back to back allow at most twice the limit in a short while).
"""

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute, storage, strategies

from ticket_app.config import get_settings
from ticket_app.services.errors import Throttled

logger = logging.getLogger(__name__)

Key = tuple[str, ...]
# The memory store reads a counter back outside its own lock: taking and giving back slots
# under this one keeps them atomic within the process (Redis does it in one script).
_SLOTS = threading.Lock()


@dataclass(frozen=True)
class Limiters:
    """One store, counted two ways: moving windows for rates, fixed windows for reserved
    password attempts (a fixed window's counter can give a slot back)."""

    store: storage.Storage
    moving: strategies.MovingWindowRateLimiter
    fixed: strategies.FixedWindowRateLimiter


def _build() -> Limiters:
    url = get_settings().redis_url
    store = storage.storage_from_string(url) if url else storage.MemoryStorage()
    return Limiters(
        store, strategies.MovingWindowRateLimiter(store), strategies.FixedWindowRateLimiter(store)
    )


class _Once:
    """The process's limiters, built once even when many threads ask first at the same moment
    (`lru_cache` would build one per thread, each counting on its own); `cache_clear` as for
    the other cached singletons."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: Limiters | None = None

    def __call__(self) -> Limiters:
        with self._lock:
            if self._limiters is None:
                self._limiters = _build()
            return self._limiters

    def cache_clear(self) -> None:
        with self._lock:
            self._limiters = None


limiter = _Once()


def _wait_message(what: str, wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return f"{what} Try again in {minutes} minute{'' if minutes == 1 else 's'}."


@dataclass(frozen=True)
class Reservation:
    """Password attempts reserved (one slot under each limit), to give back on success."""

    slots: tuple[tuple[RateLimitItem, Key], ...]


def _reserve(slots: Sequence[tuple[RateLimitItem, Key]], refusal: str) -> Reservation:
    """Take one slot under each limit, atomically per limit; Throttled (nothing taken) when
    any of them is full. A limiter outage allows the attempt, logged."""
    fixed = limiter().fixed
    taken: list[tuple[RateLimitItem, Key]] = []
    try:
        for item, key in slots:
            taken.append((item, key))
            with _SLOTS:
                count = fixed.storage.incr(item.key_for(*key), item.get_expiry(), amount=1)
            if count > item.amount:
                reset_at = fixed.get_window_stats(item, *key).reset_time
                wait = max(1, math.ceil(reset_at - time.time()))
                _give_back(taken)
                raise Throttled(_wait_message(refusal, wait), retry_after=wait)
    except Throttled:
        raise
    except Exception:  # a limiter outage must not lock everyone out; it is logged
        logger.exception("password throttling is unavailable; allowing the attempt")
        return Reservation(())
    return Reservation(tuple(taken))


def _give_back(slots: Sequence[tuple[RateLimitItem, Key]]) -> None:
    fixed = limiter().fixed
    for item, key in slots:
        with _SLOTS:
            fixed.storage.incr(item.key_for(*key), item.get_expiry(), amount=-1)


def _failures(amount: int) -> RateLimitItem:
    return RateLimitItemPerMinute(amount, get_settings().sign_in_window_minutes)


def _account(email: str) -> str:
    return email.strip().lower()


def reserve_sign_in(*, email: str, address: str) -> Reservation:
    """Count a sign-in attempt before its password is checked; Throttled once the account
    from this address, or this address on any account, has used up its attempts."""
    settings = get_settings()
    return _reserve(
        [
            (_failures(settings.sign_in_max_failures), ("sign-in-pair", _account(email), address)),
            (_failures(settings.sign_in_address_max_failures), ("sign-in-address", address)),
        ],
        "Too many failed sign-in attempts.",
    )


def sign_in_failed(email: str) -> None:
    """The attempt failed: its reserved slots stay taken, and the account's failures (which
    slow down every attempt on it, see `sign_in_delay`) grow."""
    item = _failures(get_settings().sign_in_max_failures)
    try:
        limiter().moving.hit(item, "sign-in", _account(email))
    except Exception:
        logger.exception("sign-in throttling is unavailable; the failure was not counted")


def sign_in_succeeded(email: str, reservation: Reservation) -> None:
    """The right password: the account's failures, from this address and from anywhere, are
    forgotten, and the address gets its slot back (its failures on other accounts stay)."""
    item = _failures(get_settings().sign_in_max_failures)
    try:
        for slot in reservation.slots:
            if slot[1][0] == "sign-in-pair":
                limiter().fixed.clear(slot[0], *slot[1])
            else:
                _give_back([slot])
        limiter().moving.clear(item, "sign-in", _account(email))
    except Exception:
        logger.exception("sign-in throttling is unavailable; failures were not cleared")


def sign_in_delay(email: str) -> float:
    """Seconds an attempt on this account waits before its password is checked: none until
    the account has had SIGN_IN_MAX_FAILURES failures in the window, from any address, then
    SIGN_IN_SLOWDOWN_SECONDS. It slows guessing down; it never refuses."""
    settings = get_settings()
    try:
        hot = not limiter().moving.test(
            _failures(settings.sign_in_max_failures), "sign-in", _account(email)
        )
    except Exception:
        logger.exception("sign-in throttling is unavailable; no slowdown")
        return 0.0
    return settings.sign_in_slowdown_seconds if hot else 0.0


def reserve_password_check(user_id: int) -> Reservation:
    """Count a check of a signed-in user's current password (a password change) before it
    is made; Throttled after SIGN_IN_MAX_FAILURES failures in the window."""
    item = _failures(get_settings().sign_in_max_failures)
    return _reserve([(item, ("password-check", str(user_id)))], "Too many wrong passwords.")


def reserve_code_check(user_id: int) -> Reservation:
    """Count a check of a user's two-factor code (the step after the password, turning
    two-factor off or renewing recovery codes) before it is made; Throttled after
    SIGN_IN_MAX_FAILURES wrong codes in the window, from any address: a six-digit code is
    guessable, and only someone who knows the password reaches this check."""
    item = _failures(get_settings().sign_in_max_failures)
    return _reserve([(item, ("two-factor", str(user_id)))], "Too many wrong codes.")


def check_passed(reservation: Reservation) -> None:
    """The right current password or code: the user's failures of that check are forgotten."""
    try:
        for item, key in reservation.slots:
            limiter().fixed.clear(item, *key)
    except Exception:
        logger.exception("password throttling is unavailable; failures were not cleared")


def retry_after(item: RateLimitItem, *identifiers: str) -> int:
    """Seconds until `identifiers` may try again under the moving window `item` (at least 1)."""
    reset_at = limiter().moving.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))


NOUNS = {"token": "API token", "address": "client address", "expensive": "user"}


def check_api_rate(kind: str, *, key: str, per_minute: int) -> None:
    """Count one API request of `key` (a `kind` of NOUNS); Throttled once it has made
    `per_minute` requests in the last minute. 0 turns the limit off."""
    if per_minute <= 0:
        return
    item = RateLimitItemPerMinute(per_minute)
    try:
        if limiter().moving.hit(item, f"api-{kind}", key):
            return
        wait = retry_after(item, f"api-{kind}", key)
    except Exception:  # a limiter outage must not take the API down; it is logged
        logger.exception("API rate limiting is unavailable; allowing the request")
        return
    what = "expensive requests (classify, similar, export, bulk)"
    if kind != "expensive":
        what = "requests"
    raise Throttled(
        f"This {NOUNS[kind]} made more than {per_minute} {what} in a minute. "
        f"Try again in {wait} second{'' if wait == 1 else 's'}.",
        retry_after=wait,
    )
