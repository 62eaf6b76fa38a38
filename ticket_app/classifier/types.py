"""The classifier's answer, shared by every path (Gemini, offline model, default)."""

from dataclasses import dataclass
from typing import Literal

from ticket_app.domain import Category, Priority

Source = Literal["gemini", "local", "default"]


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
