"""The classifier's answer, shared by every path (Gemini, offline model, default)."""

from dataclasses import dataclass
from typing import Literal

from ticket_app.domain import Category, Priority

Source = Literal["gemini", "local", "default"]

CONFIDENCE_THRESHOLD = 0.45
"""At or above this confidence a suggestion may pre-fill a form; below it the honest answer is
"not sure". Set from the development set: the 5th percentile of the offline model's confidence
on its 1,407 real tickets, rounded down to 0.05, so that 95% of real tickets pre-fill, while
gibberish, greetings and off-topic chatter stay below (docs/classifier.md has the numbers)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested category and priority, and where it came from.

    `source` is "gemini", "local" (the offline model) or "default" (general/medium when no model
    answered). `used_fallback` is true whenever Gemini was configured but did not give this
    answer, or no model answered at all. `confidence` is in 0..1; see docs/classifier.md for what
    it means per source.
    """

    category: Category
    priority: Priority
    source: Source
    used_fallback: bool
    confidence: float

    @property
    def confident(self) -> bool:
        """Sure enough to pre-fill a form; below `CONFIDENCE_THRESHOLD`, show "not sure"."""
        return self.confidence >= CONFIDENCE_THRESHOLD
