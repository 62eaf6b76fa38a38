"""The classifier's fixtures (a clean, offline start; the local fake of Gemini) for the
reply assistance, which drives the same SDK client."""

from tests.classifier.conftest import clean_classifier, fake_gemini

__all__ = ["clean_classifier", "fake_gemini"]
