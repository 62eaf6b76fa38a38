"""The similar-tickets evaluate command on a small labelled file: it files, asks and reports,
and its common-words check holds."""

import json
import sys

from tests.conftest import reset_caches
from ticket_app.similarity import evaluate

ROWS = {
    "REFUND/get_refund": ["I want my money back", "refund my money please", "money back now"],
    "ACCOUNT/recover_password": ["forgot my password", "reset the password", "password lost"],
    "DELIVERY/delivery_period": [
        "when will my parcel arrive",
        "parcel arrival date",
        "parcel late",
    ],
}


def test_evaluate_reports_precision_rank_latency_and_common_words(tmp_path, monkeypatch, capsys):
    data = tmp_path / "labelled.jsonl"
    lines = [
        json.dumps({"text": text, "orig_category": intent, "category": "general"})
        for intent, texts in ROWS.items()
        for text in texts
    ]
    data.write_text("\n".join([*lines, json.dumps({"text": "no intent here"})]) + "\n")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")  # restored afterwards, as are the caches
    monkeypatch.setattr(sys, "argv", ["evaluate", str(data), "--holdout", "0.34"])
    try:
        assert evaluate.main() == 0
    finally:
        monkeypatch.undo()
        reset_caches()
    out = capsys.readouterr().out
    assert "6 tickets filed, 3 held out, 3 intents" in out
    assert "precision@5: 0.400" in out  # both filed tickets of its intent, of five slots
    assert "MRR (first same-intent ticket among the 5): 1.000" in out
    assert "common-words check: passed" in out


def test_split_holds_out_a_share_of_each_intent():
    rows = [evaluate.Row(f"text {n}", f"A/{n % 2}", "general") for n in range(10)]
    rows.append(evaluate.Row("alone", "B/single", "general"))
    filed, held = evaluate.split(rows, 0.2, seed=3)
    assert sorted(row.intent for row in held) == ["A/0", "A/1"]
    assert len(filed) == 9
