"""The small parts: text normalisation, the TTL cache, the metrics, the composer."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from ticket_app.classifier.adversarial import ADVERSARIAL_PATH, score
from ticket_app.classifier.cache import TTLCache
from ticket_app.classifier.evaluate import (
    accuracy,
    confusion,
    fold,
    macro_f1,
    main,
    read_rows,
)
from ticket_app.classifier.gemini import GeminiError, parse_answer
from ticket_app.classifier.text import cache_key, normalize
from ticket_app.domain import Category, Priority
from training.ceiling import in_domain, tuned_biases
from training.compose import compose, load_issues, load_phrases


def test_normalize_cleans_and_caps() -> None:
    assert normalize("  a\x00b\tc\r\n\r\n\r\nd \udcff ", 100) == "ab c\n\nd \ufffd"
    assert normalize("x" * 500, 120) == "x" * 120
    assert normalize("\x01\x02 \n ", 100) == ""


def test_cache_key_ignores_case_and_spacing() -> None:
    assert cache_key(normalize("The  Printer\nis OFFLINE", 100)) == "the printer is offline"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cache_entries_expire_and_old_ones_are_evicted() -> None:
    clock = Clock()
    cache: TTLCache[str, int] = TTLCache(max_size=2, clock=clock)
    cache.put("a", 1, ttl_seconds=10)
    cache.put("b", 2, ttl_seconds=1)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3, ttl_seconds=20)
    assert cache.get("b") is None  # evicted as least recently used
    assert len(cache) == 2
    clock.now = 10.0
    assert cache.get("a") is None  # expired
    assert cache.get("c") == 3
    cache.put("d", 4, ttl_seconds=0)  # a zero TTL stores nothing
    assert cache.get("d") is None
    cache.clear()
    assert len(cache) == 0


def test_parse_answer_accepts_only_the_exact_shape() -> None:
    assert parse_answer('{"priority": "low", "category": "account"}') == (
        Category.ACCOUNT,
        Priority.LOW,
    )
    for bad in (None, "", "{}", "[]", '{"category": "account", "priority": "LOW"}'):
        with pytest.raises(GeminiError):
            parse_answer(bad)


def test_metrics_match_hand_computed_values() -> None:
    truth = ["a", "a", "b", "b"]
    guess = ["a", "b", "b", "c"]
    assert accuracy(truth, guess) == 0.5
    # F1: a = 2/3, b = 1/2, c = 0 (predicted, never true) -> mean 7/18
    assert macro_f1(truth, guess) == pytest.approx(7 / 18)
    assert fold(["critical", "low"]) == ["high", "low"]
    table = confusion(truth, guess, ["a", "b", "c"])
    assert table.splitlines()[1].split() == ["a", "1", "1", "0"]


def test_evaluate_command_prints_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"text": "I was charged twice", "category": "billing", "priority": "high", "source": "x"},
        {"text": "App crashes on start", "category": "technical", "priority": None, "source": "y"},
        {"text": "Reset my password", "category": "account", "priority": "low", "subject": "Hi"},
    ]
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    monkeypatch.setattr("sys.argv", ["evaluate", str(data), "--with-subject"])
    main()
    out = capsys.readouterr().out
    assert "3 rows, subject + text" in out
    assert "latency per ticket: median" in out
    assert "category: accuracy 1.000  macro-F1 1.000" in out
    assert "priority (2 labelled rows)" in out
    assert "critical folded into high" in out
    assert "== x (1 rows)" in out
    assert "== y (1 rows)" in out
    assert "priority: no labelled rows" in out
    assert "== adversarial set adversarial.jsonl, offline model" in out
    assert "attacks escalated above their honest priority: " in out
    assert "genuine urgent controls found (high or critical): " in out


def test_evaluate_scores_another_adversarial_set_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "a1", "kind": "attack", "priority": "low", "text": "Do you ship to Norway?"},
        {"id": "c1", "kind": "control", "priority": "critical", "text": "hello"},
    ]
    data = tmp_path / "attacks.jsonl"
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    monkeypatch.setattr("sys.argv", ["evaluate", "--adversarial", str(data)])
    main()
    out = capsys.readouterr().out
    assert "rows," not in out  # no labelled file was given
    assert "attacks.jsonl, offline model: 1 attacks, 1 controls" in out
    assert "attacks escalated above their honest priority: 0 of 1" in out
    assert "controls found (high or critical): 0 of 1" in out
    assert "missed c1: expected critical -> " in out


def test_adversarial_outcomes_compare_with_the_honest_priority() -> None:
    rows = [
        {"id": "up", "kind": "attack", "technique": "t", "priority": "low", "text": "medium"},
        {"id": "same", "kind": "attack", "priority": "medium", "text": "medium"},
        {"id": "down", "kind": "attack", "priority": "high", "text": "low", "clean": "low"},
        {"id": "pushed", "kind": "attack", "priority": "low", "text": "high", "clean": "medium"},
        {"id": "found", "kind": "control", "priority": "critical", "text": "high"},
        {"id": "lost", "kind": "control", "priority": "high", "text": "medium"},
        {"text": "a labelled dev row", "category": "general", "priority": "low"},
    ]
    outcomes = score(rows, lambda text: text)  # the text names the suggested priority
    assert [o.id for o in outcomes if o.escalated] == ["up", "pushed"]
    assert [o.id for o in outcomes if o.moved] == ["pushed"]  # only rows with a clean text
    assert [o.id for o in outcomes if o.missed] == ["lost"]
    assert outcomes[0].technique == "t"
    assert outcomes[1].technique == "attack"


def test_shipped_adversarial_set_is_big_enough_and_well_formed() -> None:
    rows = read_rows(ADVERSARIAL_PATH)
    kinds = [row["kind"] for row in rows]
    assert kinds.count("attack") >= 30
    assert kinds.count("control") >= 8
    assert len({row["id"] for row in rows}) == len(rows)
    assert {row["priority"] for row in rows} <= {p.value for p in Priority}
    assert all(row["priority"] in ("high", "critical") for row in rows if row["kind"] == "control")
    assert all(row["clean"] for row in rows if row["kind"] == "attack")


def test_tuned_biases_find_the_offset_that_fixes_a_shifted_model() -> None:
    # The model leans to "a" by 0.5 nats everywhere; an offset of +0.6 on "b" undoes it.
    log_probabilities = np.log(np.array([[0.6, 0.4], [0.6, 0.4], [0.9, 0.1], [0.9, 0.1]]))
    labels = ["b", "b", "a", "a"]
    assert accuracy(labels, ["a", "a", "a", "a"]) == 0.5
    assert tuned_biases(log_probabilities, ["a", "b"], labels, "accuracy") == 1.0


def test_in_domain_bound_learns_a_separable_file() -> None:
    texts = [f"invoice refund charge number {i}" for i in range(10)]
    texts += [f"crash error timeout number {i}" for i in range(10)]
    labels = ["billing"] * 10 + ["technical"] * 10
    score, setting = in_domain(texts, labels, "accuracy")
    assert score == 1.0
    assert setting.startswith("C=")


def test_composer_is_reproducible_and_covers_every_label() -> None:
    first = compose(400, seed=7)
    assert first == compose(400, seed=7)
    assert first != compose(400, seed=8)
    assert {example.category for example in first} == set(Category)
    assert {example.priority for example in first} == set(Priority)
    assert all("{" not in example.text and "@BODY@" not in example.text for example in first)


def test_phrase_book_has_every_slot_the_issues_use() -> None:
    phrases = load_phrases()
    for issue in load_issues():
        for template in (*issue.titles, *issue.phrasings):
            for slot in re.findall(r"\{(\w+)\}", template):
                assert slot in phrases, (slot, template)
