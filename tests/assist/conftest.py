"""The classifier's fixtures (a clean, offline start; the local fake of Gemini) for the
reply assistance, which drives the same SDK client; the solved ticket of the draft tests."""

from tests.classifier.conftest import clean_classifier, fake_gemini
from tests.test_api_drafts import solved

__all__ = ["clean_classifier", "fake_gemini", "solved"]
