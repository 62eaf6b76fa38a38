"""classify(): input handling, defaults, caching and the reset hook."""

import threading
from pathlib import Path

import pytest

from ticket_app.classifier import (
    CONFIDENCE_THRESHOLD,
    Suggestion,
    classify,
    offline,
    pipeline,
    reset_state,
)
from ticket_app.classifier.offline import LocalPrediction
from ticket_app.config import get_settings
from ticket_app.domain import Category, Priority


class CountingModel:
    """Stands in for the offline model and counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, text: str) -> LocalPrediction:
        self.calls += 1
        return LocalPrediction(Category.TECHNICAL, Priority.HIGH, 0.75, {}, {})


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingModel:
    model = CountingModel()
    monkeypatch.setattr(pipeline, "offline_model", lambda: model)
    return model


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_non_string_input_is_a_value_error(value: object) -> None:
    with pytest.raises(ValueError, match="string"):
        classify(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\x00\x01"])
def test_blank_input_gets_the_default(text: str) -> None:
    assert classify(text) == Suggestion(
        Category.GENERAL, Priority.MEDIUM, "default", used_fallback=True, confidence=0.0
    )


def test_same_normalised_text_is_answered_from_the_cache(counting: CountingModel) -> None:
    first = classify("The printer  is offline")
    second = classify("the PRINTER is offline\n")
    assert first == second == Suggestion(Category.TECHNICAL, Priority.HIGH, "local", False, 0.75)
    assert counting.calls == 1
    classify("The printer is offline again")
    assert counting.calls == 2


def test_cache_expires(counting: CountingModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSIFIER_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    classify("The printer is offline")
    classify("The printer is offline")
    assert counting.calls == 2


def test_reset_state_clears_the_cache(counting: CountingModel) -> None:
    classify("The printer is offline")
    reset_state()
    classify("The printer is offline")
    assert counting.calls == 2


def test_broken_model_file_gives_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "model.json.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr(offline, "MODEL_PATH", broken)
    monkeypatch.setattr(pipeline, "_model", None)
    monkeypatch.setattr(pipeline, "_model_failed", False)
    first = classify("The printer is offline")
    second = classify("Another ticket")
    assert first.source == second.source == "default"
    assert (first.category, first.priority) == (Category.GENERAL, Priority.MEDIUM)
    assert len([r for r in caplog.records if r.name == "ticket_app.classifier"]) == 1


def test_classify_is_thread_safe() -> None:
    texts = [f"Ticket {n}: the app crashes when I export report {n % 7}" for n in range(80)]
    results: list[Suggestion] = []
    errors: list[BaseException] = []

    def work(chunk: list[str]) -> None:
        try:
            results.extend(classify(text) for text in chunk)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == len(texts)
    assert all(result.source == "local" for result in results)


UNPLACEABLE = [
    "good morning",
    "yo",
    "testing 123",
    "qwpoeiruty zxmvbn",
    "blah blah blah",
    "lol",
    "I had pasta for lunch today",
    "The Eiffel Tower is in Paris",
    "What time is sunset in Oslo?",
    "My dog barks at the mailman every morning",
    "Roses are red, violets are blue",
    "Who painted the Mona Lisa?",
    "Can you sing me a song about the sea?",
    "Is it going to rain this weekend?",
]
PLACEABLE = [
    "I was charged twice for my subscription this month",
    "The app crashes every time I try to export a report",
    "I forgot my password and the reset link never arrives",
    "My order has not been delivered yet",
    "What are your customer service opening hours?",
    "The VPN disconnects every hour",
    "Can I get a refund for the unused licences?",
    "Our website is down for all customers",
    "How do I add a new user to our team account?",
]


@pytest.mark.parametrize("text", UNPLACEABLE)
def test_text_the_model_cannot_place_is_not_confident(text: str) -> None:
    suggestion = classify(text)
    assert suggestion.source == "local"
    assert suggestion.confidence < CONFIDENCE_THRESHOLD
    assert not suggestion.confident


@pytest.mark.parametrize("text", PLACEABLE)
def test_clear_tickets_are_confident(text: str) -> None:
    assert classify(text).confident


def test_confident_follows_the_documented_threshold() -> None:
    def at(confidence: float) -> Suggestion:
        return Suggestion(Category.GENERAL, Priority.LOW, "local", False, confidence)

    assert at(CONFIDENCE_THRESHOLD).confident
    assert not at(CONFIDENCE_THRESHOLD - 0.01).confident
    assert not classify("").confident  # the default answer is never confident
