"""`classify`: Gemini when a key is set, else (or when Gemini fails) the offline model, else the
default general/medium. It never raises because a model failed, and it caches by normalised text.
Gemini is asked only when the gate lets a call out (`gate.py`: a cap on concurrent calls and a
circuit breaker); otherwise the offline model answers at once.
"""

import logging
import threading

from ticket_app.classifier import gemini, offline
from ticket_app.classifier.cache import TTLCache
from ticket_app.classifier.gate import CircuitBreaker, GeminiGate
from ticket_app.classifier.text import cache_key, normalize
from ticket_app.classifier.types import Suggestion
from ticket_app.config import Settings, get_settings
from ticket_app.domain import DEFAULT_CATEGORY, DEFAULT_PRIORITY

logger = logging.getLogger("ticket_app.classifier")

GEMINI_CONFIDENCE = 0.9
"""Gemini returns labels, not probabilities: a fixed value for "validated Gemini answer", scaled
by how much of the text the offline model can place, since the schema makes Gemini name a
category even for gibberish."""

FALLBACK_CACHE_SECONDS = 30
"""A fallback answer is kept briefly only, so Gemini is asked again once it may have recovered,
but a create right after a failed suggestion does not wait for the same timeout twice."""

_lock = threading.Lock()
_cache: TTLCache[tuple[str, str], Suggestion] | None = None
_gate: tuple[tuple[int, int, float], GeminiGate] | None = None
_model: offline.OfflineModel | None = None
_model_failed = False


def _get_cache(settings: Settings) -> TTLCache[tuple[str, str], Suggestion]:
    global _cache
    with _lock:
        if _cache is None:
            _cache = TTLCache(settings.classifier_cache_size)
        return _cache


def _get_gate(settings: Settings) -> GeminiGate:
    """The process's one gate for Gemini calls; a new one when its settings changed."""
    global _gate
    limits = (
        settings.gemini_max_concurrent,
        settings.gemini_circuit_failures,
        settings.gemini_circuit_cooldown_seconds,
    )
    with _lock:
        if _gate is None or _gate[0] != limits:
            breaker = CircuitBreaker(limits[1], limits[2])
            _gate = (limits, GeminiGate(limits[0], breaker))
        return _gate[1]


def offline_model() -> offline.OfflineModel | None:
    """The shipped model, loaded once; None (logged once) if the file is missing or broken."""
    global _model, _model_failed
    with _lock:
        if _model is None and not _model_failed:
            try:
                _model = offline.OfflineModel.load(offline.MODEL_PATH)
            except (OSError, EOFError, ValueError, KeyError, TypeError):
                _model_failed = True
                logger.exception("Offline classifier model could not be loaded; using defaults")
        return _model


def _default() -> Suggestion:
    return Suggestion(DEFAULT_CATEGORY, DEFAULT_PRIORITY, "default", True, 0.0)


def _ask_gemini(settings: Settings, text: str) -> Suggestion | None:
    """Gemini's validated answer; None when it failed or the gate kept the call from going out."""
    gate = _get_gate(settings)
    if not gate.admit():
        return None
    answered = False
    try:
        category, priority = gemini.get_classifier(settings).classify(text)
        answered = True
    except Exception as error:  # any failure falls back; the log line names it, safely
        logger.warning(
            "Gemini classification failed (%s); using the offline model", gemini.describe(error)
        )
        return None
    finally:
        gate.done(ok=answered)
    model = offline_model()
    placed = model.placed(text) if model is not None else 1.0
    return Suggestion(category, priority, "gemini", False, round(GEMINI_CONFIDENCE * placed, 4))


def _ask_offline(text: str, used_fallback: bool) -> Suggestion | None:
    model = offline_model()
    if model is None:
        return None
    prediction = model.predict(text)
    return Suggestion(
        prediction.category,
        prediction.priority,
        "local",
        used_fallback,
        round(prediction.confidence, 4),
    )


def classify(text: str) -> Suggestion:
    """Suggest a category and priority for a ticket's text (title + "\\n" + description).

    Synchronous and thread-safe. Raises ValueError only when `text` is not a string.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, not {type(text).__name__}")
    settings = get_settings()
    clean = normalize(text, settings.classifier_max_input_chars)
    use_gemini = bool(settings.gemini_api_key)
    if not clean:
        return _default()
    key = (settings.gemini_model if use_gemini else "", cache_key(clean))
    cache = _get_cache(settings)
    cached = cache.get(key)
    if cached is not None:
        return cached
    suggestion = _ask_gemini(settings, clean) if use_gemini else None
    if suggestion is None:
        suggestion = _ask_offline(clean, used_fallback=use_gemini) or _default()
    ttl = settings.classifier_cache_seconds
    if use_gemini and suggestion.source != "gemini":
        ttl = min(ttl, FALLBACK_CACHE_SECONDS)
    cache.put(key, suggestion, ttl)
    return suggestion


def reset_state() -> None:
    """Forget cached suggestions, the Gemini gate and client (for tests, or after a settings
    change).

    The offline model stays loaded: it is read-only and does not depend on settings. Call
    `get_settings.cache_clear()` first when the environment changed.
    """
    global _cache, _gate
    with _lock:
        _cache, _gate = None, None
    gemini.reset()
