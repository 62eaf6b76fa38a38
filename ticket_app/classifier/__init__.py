"""Ticket classifier: text in, suggested category and priority out.

Knows nothing of the database or of Reflex. See docs/classifier.md.
"""

from ticket_app.classifier.aio import classify_async
from ticket_app.classifier.pipeline import classify, reset_state
from ticket_app.classifier.types import CONFIDENCE_THRESHOLD, Suggestion

__all__ = ["CONFIDENCE_THRESHOLD", "Suggestion", "classify", "classify_async", "reset_state"]
