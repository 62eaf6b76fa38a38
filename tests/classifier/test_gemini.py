"""The Gemini path through the real google-genai SDK against a local fake of the REST endpoint."""

import logging
import time

import pytest

from tests.classifier.fake_gemini import (
    API_KEY,
    MODEL,
    FakeGemini,
    Reply,
    answer,
    error_reply,
    gemini_body,
)
from ticket_app.classifier import classify
from ticket_app.classifier.gemini import SYSTEM_INSTRUCTION
from ticket_app.domain import Category, Priority

TEXT = "Invoice INV-5521 charged our card twice this month"


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ticket_app.classifier"]


def test_good_answer_is_used(fake_gemini: FakeGemini) -> None:
    fake_gemini.queue(Reply(body=gemini_body(answer("billing", "critical"))))
    suggestion = classify(TEXT)
    assert suggestion.category is Category.BILLING
    assert suggestion.priority is Priority.CRITICAL
    assert suggestion.source == "gemini"
    assert suggestion.used_fallback is False
    assert 0.0 < suggestion.confidence <= 1.0
    assert len(fake_gemini.requests) == 1


def test_gemini_is_not_sure_of_text_nobody_can_place(fake_gemini: FakeGemini) -> None:
    """The schema makes Gemini name a category even for gibberish; the answer says it is unsure."""
    fake_gemini.queue(Reply(body=gemini_body(answer("general", "low"))))
    gibberish = classify("qwpoeiruty zxmvbn asdkjh")
    assert gibberish.source == "gemini"
    assert not gibberish.confident
    assert classify(TEXT).confident


def test_request_keeps_text_out_of_the_instructions(fake_gemini: FakeGemini) -> None:
    classify(TEXT)
    request = fake_gemini.requests[0]
    assert request.path == f"/v1beta/models/{MODEL}:generateContent"
    assert request.headers["x-goog-api-key"] == API_KEY
    body = request.body
    system = " ".join(part["text"] for part in body["systemInstruction"]["parts"])
    assert system == SYSTEM_INSTRUCTION
    assert TEXT not in system
    assert "INV-5521" not in system
    assert body["contents"] == [{"role": "user", "parts": [{"text": TEXT}]}]
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["temperature"] == 0
    schema = config["responseSchema"]
    assert schema["properties"]["category"]["enum"] == [c.value for c in Category]
    assert schema["properties"]["priority"]["enum"] == [p.value for p in Priority]
    assert sorted(schema["required"]) == ["category", "priority"]


def test_input_is_capped_before_it_is_sent(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_app.config import get_settings

    monkeypatch.setenv("CLASSIFIER_MAX_INPUT_CHARS", "200")
    get_settings.cache_clear()
    classify("word " * 5000)
    sent = fake_gemini.requests[0].body["contents"][0]["parts"][0]["text"]
    assert len(sent) <= 200


@pytest.mark.parametrize("status", [429, 500, 503])
def test_one_retry_on_429_and_5xx_then_success(fake_gemini: FakeGemini, status: int) -> None:
    fake_gemini.queue(error_reply(status), Reply(body=gemini_body(answer("technical", "low"))))
    suggestion = classify(TEXT)
    assert (suggestion.source, suggestion.category) == ("gemini", Category.TECHNICAL)
    assert len(fake_gemini.requests) == 2


@pytest.mark.parametrize("status", [429, 500])
def test_at_most_one_retry_then_offline(
    fake_gemini: FakeGemini, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake_gemini.queue(error_reply(status), error_reply(status), error_reply(status))
    suggestion = classify(TEXT)
    assert suggestion.source == "local"
    assert suggestion.used_fallback is True
    assert suggestion.category is Category.BILLING  # the offline model still reads the text
    assert len(fake_gemini.requests) == 2
    assert len(failures(caplog)) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(fake_gemini: FakeGemini, status: int) -> None:
    fake_gemini.queue(error_reply(status))
    suggestion = classify(TEXT)
    assert suggestion.source == "local"
    assert suggestion.used_fallback is True
    assert len(fake_gemini.requests) == 1


def test_slow_answer_hits_the_timeout(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_app.config import get_settings

    monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    fake_gemini.queue(Reply(delay=2.0))
    started = time.monotonic()
    suggestion = classify(TEXT)
    elapsed = time.monotonic() - started
    assert suggestion.source == "local"
    assert suggestion.used_fallback is True
    assert elapsed < 1.5  # timeout is 0.5 s; timeouts are not retried
    assert len(fake_gemini.requests) == 1


@pytest.mark.parametrize(
    "text",
    [
        "not json at all",
        '{"category": "billing", "priority": "high"',  # truncated
        '```json\n{"category": "billing", "priority": "high"}\n```',
        '["billing", "high"]',
        '{"category": "refunds", "priority": "high"}',  # outside the enum
        '{"category": "billing", "priority": "urgent"}',
        '{"category": "BILLING", "priority": "high"}',
        '{"category": "billing"}',  # missing field
        '{"priority": "low"}',
        '{"category": "billing", "priority": "high", "note": "extra"}',
        '{"category": 1, "priority": "high"}',
        '{"category": null, "priority": "high"}',
        "",
    ],
)
def test_invalid_answers_fall_back(fake_gemini: FakeGemini, text: str) -> None:
    fake_gemini.queue(Reply(body=gemini_body(text)))
    suggestion = classify(TEXT)
    assert suggestion.source == "local"
    assert suggestion.used_fallback is True
    assert len(fake_gemini.requests) == 1  # an invalid answer is not retried


def test_response_without_candidates_falls_back(fake_gemini: FakeGemini) -> None:
    fake_gemini.queue(Reply(body={"promptFeedback": {"blockReason": "SAFETY"}}))
    assert classify(TEXT).source == "local"


def test_non_json_http_body_falls_back(fake_gemini: FakeGemini) -> None:
    fake_gemini.queue(Reply(body="<html>gateway</html>"))
    assert classify(TEXT).source == "local"


def test_unreachable_server_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from ticket_app.config import get_settings

    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    monkeypatch.setenv("GEMINI_BASE_URL", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    suggestion = classify(TEXT)
    assert (suggestion.source, suggestion.used_fallback) == ("local", True)


def test_failure_is_logged_once_without_key_or_text(
    fake_gemini: FakeGemini, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "customer SSN 078-05-1120 cannot log in"
    fake_gemini.queue(
        Reply(body=gemini_body('{"category": "' + secret_text + '", "priority": "high"}'))
    )
    with caplog.at_level(logging.DEBUG):
        classify(secret_text)
    ours = failures(caplog)
    assert len(ours) == 1
    assert ours[0].levelno == logging.WARNING
    everything = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert API_KEY not in everything
    assert "078-05-1120" not in everything


def test_fallback_when_offline_model_is_missing_too(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_app.classifier import pipeline

    monkeypatch.setattr(pipeline, "offline_model", lambda: None)
    fake_gemini.queue(error_reply(500), error_reply(500))
    suggestion = classify(TEXT)
    assert (suggestion.category, suggestion.priority) == (Category.GENERAL, Priority.MEDIUM)
    assert (suggestion.source, suggestion.used_fallback, suggestion.confidence) == (
        "default",
        True,
        0.0,
    )


def test_gemini_answer_is_cached(fake_gemini: FakeGemini) -> None:
    first = classify(TEXT)
    second = classify("  " + TEXT.upper() + "\n")
    assert first == second
    assert len(fake_gemini.requests) == 1


def test_fallback_answer_is_cached_briefly(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_app.classifier import pipeline

    fake_gemini.queue(error_reply(400))
    assert classify(TEXT).source == "local"
    assert classify(TEXT).source == "local"  # the create right after does not wait again
    assert len(fake_gemini.requests) == 1
    monkeypatch.setattr(pipeline, "FALLBACK_CACHE_SECONDS", 0)
    pipeline.reset_state()
    assert classify(TEXT).source == "gemini"  # without the brief cache, Gemini is asked again


def test_settings_change_builds_a_new_client(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_app.config import get_settings

    classify(TEXT)
    other = FakeGemini()
    try:
        monkeypatch.setenv("GEMINI_BASE_URL", other.url)
        get_settings.cache_clear()
        classify(TEXT + " again")
        assert len(other.requests) == 1
    finally:
        other.close()
    assert len(fake_gemini.requests) == 1
