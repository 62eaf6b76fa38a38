"""Whether a Gemini call may go out right now: a cap on concurrent calls and a circuit breaker.

With a key set, every new text is a billed call of up to the Gemini timeout, from the API and
from every pause in typing in every tab. Two rules keep a burst or an outage from piling up:

- At most `GEMINI_MAX_CONCURRENT` calls are in flight. A call that cannot get a slot at once is
  not queued: the offline model answers it, in a millisecond, marked as a fallback.
- After `GEMINI_CIRCUIT_FAILURES` failures in a row the circuit opens: for
  `GEMINI_CIRCUIT_COOLDOWN_SECONDS` no call goes out at all. Then one trial call is let through
  (the others still answer offline); its success closes the circuit, its failure opens it again
  for another cool-down.

Nothing here waits: `admit` answers at once, so the caller's thread is never held by the gate.
"""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("ticket_app.classifier")


class CircuitBreaker:
    """Closed, open for a cool-down after repeated failures, then half-open for one trial."""

    def __init__(
        self, failures: int, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_out = False

    def allow(self) -> bool:
        """True when a call may go out; after a cool-down only the first caller gets the trial."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial_out or self.clock() - self._opened_at < self.cooldown_seconds:
                return False
            self._trial_out = True
            return True

    def record(self, ok: bool) -> None:
        """The outcome of a call that `allow` let through."""
        with self._lock:
            was_open = self._opened_at is not None
            self._trial_out = False
            if ok:
                self._consecutive, self._opened_at = 0, None
                if was_open:
                    logger.info("Gemini answered again; circuit closed")
                return
            self._consecutive += 1
            if was_open or self._consecutive >= self.failures:
                self._opened_at = self.clock()
                if not was_open:
                    logger.warning(
                        "Gemini failed %d times in a row; offline model only for %g s",
                        self._consecutive,
                        self.cooldown_seconds,
                    )


class GeminiGate:
    """A non-blocking slot for one Gemini call, given only while the circuit lets calls out."""

    def __init__(self, max_concurrent: int, breaker: CircuitBreaker) -> None:
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self.breaker = breaker

    def admit(self) -> bool:
        """Take a slot if one is free and the circuit allows a call; never waits."""
        if not self._slots.acquire(blocking=False):
            return False
        if self.breaker.allow():
            return True
        self._slots.release()
        return False

    def done(self, ok: bool) -> None:
        """Give back the slot `admit` took, and tell the breaker how the call went."""
        self.breaker.record(ok)
        self._slots.release()
