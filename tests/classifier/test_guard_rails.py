"""Guard rails for Gemini, against the fake server: the concurrency cap, the circuit breaker, and
an async entry that keeps slow calls off the event loop's default executor."""

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.classifier.fake_gemini import FakeGemini, Reply, answer, error_reply, gemini_body
from ticket_app.classifier import Suggestion, classify, classify_async, pipeline
from ticket_app.classifier.aio import THREAD_PREFIX
from ticket_app.classifier.offline import LocalPrediction
from ticket_app.config import get_settings

SLOW = 1.0  # seconds the fake takes to answer a slow call


def configure(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def ticket(number: int) -> str:
    return f"Ticket {number}: the invoice for order {number} shows the wrong amount"


def in_threads(count: int) -> list[tuple[Suggestion, float]]:
    """`count` classifications started at the same moment; each with its own duration."""
    results: list[tuple[Suggestion, float]] = [None] * count  # type: ignore[list-item]
    start = threading.Barrier(count)

    def work(index: int) -> None:
        start.wait()
        started = time.monotonic()
        suggestion = classify(ticket(index))
        results[index] = (suggestion, time.monotonic() - started)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_calls_beyond_the_cap_answer_offline_at_once(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, GEMINI_MAX_CONCURRENT="2", GEMINI_TIMEOUT_SECONDS="5")
    fake_gemini.default = Reply(body=gemini_body(answer("billing", "medium")), delay=SLOW)
    results = in_threads(5)
    gemini = [(s, took) for s, took in results if s.source == "gemini"]
    offline = [(s, took) for s, took in results if s.source == "local"]
    assert len(fake_gemini.requests) == 2  # only the capped number reached Gemini
    assert len(gemini) == 2
    assert all(took >= SLOW * 0.9 for _, took in gemini)
    assert len(offline) == 3
    assert all(s.used_fallback for s, _ in offline)
    assert all(took < SLOW / 2 for _, took in offline)  # not queued behind the slow calls


def test_a_freed_slot_is_used_again(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, GEMINI_MAX_CONCURRENT="1")
    assert classify(ticket(1)).source == "gemini"
    assert classify(ticket(2)).source == "gemini"  # the first call gave its slot back
    assert len(fake_gemini.requests) == 2


def test_circuit_opens_after_repeated_failures_and_closes_after_a_success(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    configure(monkeypatch, GEMINI_CIRCUIT_FAILURES="3", GEMINI_CIRCUIT_COOLDOWN_SECONDS="1")
    fake_gemini.default = error_reply(503)
    for number in range(3):
        assert classify(ticket(number)).source == "local"
    failed_requests = len(fake_gemini.requests)  # three failures, each with its one retry
    assert failed_requests == 6
    assert "failed 3 times in a row" in caplog.text

    for number in range(3, 8):  # open: nothing reaches Gemini during the cool-down
        suggestion = classify(ticket(number))
        assert (suggestion.source, suggestion.used_fallback) == ("local", True)
    assert len(fake_gemini.requests) == failed_requests

    time.sleep(1.1)
    fake_gemini.default = Reply(body=gemini_body(answer("billing", "low")))
    assert classify(ticket(8)).source == "gemini"  # the one trial call, and it succeeds
    assert classify(ticket(9)).source == "gemini"  # closed again
    assert len(fake_gemini.requests) == failed_requests + 2


def test_a_failed_trial_opens_the_circuit_again(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, GEMINI_CIRCUIT_FAILURES="1", GEMINI_CIRCUIT_COOLDOWN_SECONDS="1")
    fake_gemini.default = error_reply(400)  # not retried: one request per call
    classify(ticket(1))
    assert len(fake_gemini.requests) == 1
    time.sleep(1.1)
    classify(ticket(2))  # the trial, which fails
    classify(ticket(3))  # open again: no request
    assert len(fake_gemini.requests) == 2


def test_success_resets_the_count_of_failures(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, GEMINI_CIRCUIT_FAILURES="2")
    fake_gemini.queue(error_reply(400), Reply(), error_reply(400))
    for number in range(4):
        classify(ticket(number))
    assert len(fake_gemini.requests) == 4  # never two failures in a row, so never open


class RefusingExecutor(ThreadPoolExecutor):
    """Stands in for the event loop's default executor and records that it was used."""

    used = False

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> Future:
        self.used = True
        raise RuntimeError("the default executor must not run classifications")


def test_async_entry_runs_on_its_own_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    model = pipeline.offline_model()
    assert model is not None

    class Recording:
        def predict(self, text: str) -> LocalPrediction:
            threads.append(threading.current_thread().name)
            return model.predict(text)

    monkeypatch.setattr(pipeline, "offline_model", Recording)
    refusing = RefusingExecutor()

    async def main() -> Suggestion:
        asyncio.get_running_loop().set_default_executor(refusing)
        return await classify_async("I was charged twice for my subscription")

    suggestion = asyncio.run(main())
    assert suggestion.source == "local"
    assert not refusing.used
    assert threads
    assert threads[0].startswith(THREAD_PREFIX)


def test_async_entry_rejects_what_classify_rejects() -> None:
    with pytest.raises(ValueError, match="string"):
        asyncio.run(classify_async(42))  # type: ignore[arg-type]


def test_a_burst_of_slow_calls_leaves_the_default_executor_free(
    fake_gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50 suggestions at once: the UI's asyncio.to_thread calls still answer at once."""
    configure(monkeypatch, GEMINI_MAX_CONCURRENT="2", GEMINI_TIMEOUT_SECONDS="5")
    fake_gemini.default = Reply(body=gemini_body(answer("billing", "medium")), delay=SLOW)

    async def main() -> tuple[list[Suggestion], list[float]]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(2))  # a small pool, as for database calls
        burst = [asyncio.create_task(classify_async(ticket(n))) for n in range(50)]
        await asyncio.sleep(0.1)  # the burst is under way, two calls waiting on Gemini
        waits = []
        for _ in range(5):
            started = time.monotonic()
            await asyncio.to_thread(sum, range(1000))  # a stand-in database call
            waits.append(time.monotonic() - started)
        return await asyncio.gather(*burst), waits

    suggestions, waits = asyncio.run(main())
    assert max(waits) < SLOW / 2
    assert sum(s.source == "gemini" for s in suggestions) == 2
    assert sum(s.source == "local" and s.used_fallback for s in suggestions) == 48
    assert len(fake_gemini.requests) == 2
