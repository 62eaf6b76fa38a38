"""Fixtures for the classifier tests: settings from a clean environment, a fake Gemini server."""

from collections.abc import Iterator

import pytest

from tests.classifier.fake_gemini import API_KEY, MODEL, FakeGemini
from ticket_app.classifier import reset_state
from ticket_app.config import get_settings

GEMINI_ENV = (
    "GEMINI_API_KEY",
    "GEMINI_MODEL",
    "GEMINI_BASE_URL",
    "GEMINI_TIMEOUT_SECONDS",
    "GEMINI_MAX_CONCURRENT",
    "GEMINI_CIRCUIT_FAILURES",
    "GEMINI_CIRCUIT_COOLDOWN_SECONDS",
    "CLASSIFIER_MAX_INPUT_CHARS",
    "CLASSIFIER_CACHE_SECONDS",
    "CLASSIFIER_CACHE_SIZE",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_API_VERSION",
)


@pytest.fixture(autouse=True)
def clean_classifier(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts offline, with fresh settings, an empty cache and no Gemini client."""
    for name in GEMINI_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    get_settings.cache_clear()
    reset_state()
    yield
    get_settings.cache_clear()
    reset_state()


@pytest.fixture
def fake_gemini(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGemini]:
    """A running fake and settings that point the real SDK at it.

    The deadline is roomy: the fake answers at once, and a loaded CI machine must not turn a
    retry test into a timeout. The timeout's own test sets a short one.
    """
    fake = FakeGemini()
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    monkeypatch.setenv("GEMINI_MODEL", MODEL)
    monkeypatch.setenv("GEMINI_BASE_URL", fake.url)
    monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    reset_state()
    yield fake
    fake.close()
