"""Score the classifier: `python -m ticket_app.classifier.evaluate [FILE.jsonl]`.

Each line is a JSON object with "text", "category", and optionally "priority" (null rows are
skipped for priority), "source" (scores are also reported per source, since mixed sets flatter
a model that learns which source a text came from) and "subject". Prints accuracy and macro-F1
for category and for priority (strict, and with critical folded into high), how many rows are
confident enough to pre-fill (`CONFIDENCE_THRESHOLD`), the confusion matrices and the median
latency per ticket. Pure Python: it runs wherever the app runs.

Macro-F1 averages the per-label F1 over every label that occurs in the truth or in the
predictions (as scikit-learn does), so predicting a label the set never uses costs score.

Every run also scores an adversarial set (`adversarial.py`; the shipped one unless
`--adversarial` names another): how many attacks came back above their honest priority, how
many of them because of the demand itself, and how many genuinely urgent controls are found.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ticket_app.classifier import adversarial
from ticket_app.classifier.offline import MODEL_PATH, OfflineModel
from ticket_app.classifier.types import CONFIDENCE_THRESHOLD
from ticket_app.domain import Category, Priority

CATEGORIES = [category.value for category in Category]
PRIORITIES = [priority.value for priority in Priority]


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    scores = []
    for label in set(truth) | set(predicted):
        pairs = list(zip(truth, predicted, strict=True))
        true_positive = sum(t == label and p == label for t, p in pairs)
        predicted_count = sum(p == label for p in predicted)
        true_count = sum(t == label for t in truth)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / true_count if true_count else 0.0
        total = precision + recall
        scores.append(2 * precision * recall / total if total else 0.0)
    return sum(scores) / len(scores)


def confusion(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> str:
    """Rows are the true labels, columns the predicted ones."""
    width = max(len(label) for label in labels) + 2
    lines = [" " * width + "".join(label.rjust(width) for label in labels) + "   <- predicted"]
    for true_label in labels:
        if true_label not in truth:
            continue
        counts = [
            sum(t == true_label and p == label for t, p in zip(truth, predicted, strict=True))
            for label in labels
        ]
        lines.append(true_label.rjust(width) + "".join(str(n).rjust(width) for n in counts))
    return "\n".join("  " + line for line in lines)


def read_rows(path: Path) -> list[dict]:
    """The JSON objects of a JSON-lines file, blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fold(priorities: Sequence[str]) -> list[str]:
    return ["high" if priority == "critical" else priority for priority in priorities]


Prediction = tuple[str, str, float]  # category, priority, confidence


def confidence_report(truth: Sequence[str], predictions: Sequence[Prediction]) -> None:
    """How many rows are confident enough to pre-fill, and how often either side is right."""
    right = [guess == true for true, (guess, _, _) in zip(truth, predictions, strict=True)]
    scores = sorted(confidence for _, _, confidence in predictions)
    sure = [
        ok for ok, (_, _, c) in zip(right, predictions, strict=True) if c >= CONFIDENCE_THRESHOLD
    ]
    unsure = len(right) - len(sure)
    line = f"confident (>= {CONFIDENCE_THRESHOLD}): {len(sure) / len(right):.1%} of rows"
    if sure:
        line += f", category accuracy {sum(sure) / len(sure):.3f}"
    if unsure:
        below = sum(right) - sum(sure)
        line += f"; not sure: {unsure} rows, accuracy {below / unsure:.3f}"
    print(line + f"; 5th percentile of confidence {scores[int(0.05 * (len(scores) - 1))]:.3f}")


def report(name: str, rows: list[dict], predictions: list[Prediction]) -> None:
    truth = [row["category"] for row in rows]
    guessed = [category for category, _, _ in predictions]
    print(f"\n== {name} ({len(rows)} rows)")
    print(
        f"category: accuracy {accuracy(truth, guessed):.3f}"
        f"  macro-F1 {macro_f1(truth, guessed):.3f}"
    )
    confidence_report(truth, predictions)
    print(confusion(truth, guessed, CATEGORIES))
    labelled = [i for i, row in enumerate(rows) if row.get("priority")]
    if not labelled:
        print("priority: no labelled rows")
        return
    truth = [rows[i]["priority"] for i in labelled]
    guessed = [predictions[i][1] for i in labelled]
    folded_truth, folded_guess = fold(truth), fold(guessed)
    print(
        f"priority ({len(labelled)} labelled rows): strict accuracy {accuracy(truth, guessed):.3f}"
        f"  macro-F1 {macro_f1(truth, guessed):.3f}"
    )
    print(
        f"priority, critical folded into high: accuracy {accuracy(folded_truth, folded_guess):.3f}"
        f"  macro-F1 {macro_f1(folded_truth, folded_guess):.3f}"
    )
    print(confusion(truth, guessed, PRIORITIES))


def predictor(pipeline: bool, model_path: Path = MODEL_PATH) -> Callable[[str], Prediction]:
    """The offline model alone (the default), or the whole `classify` path when asked."""
    if pipeline:
        from ticket_app.classifier import classify

        def run_pipeline(text: str) -> Prediction:
            suggestion = classify(text)
            return suggestion.category.value, suggestion.priority.value, suggestion.confidence

        return run_pipeline
    model = OfflineModel.load(model_path)

    def run_offline(text: str) -> Prediction:
        prediction = model.predict(text)
        return prediction.category.value, prediction.priority.value, prediction.confidence

    return run_offline


def evaluate_labelled(
    path: Path, predict: Callable[[str], Prediction], with_subject: bool, mode: str
) -> None:
    """The accuracy, macro-F1, confusion and latency report of one labelled file."""
    rows = read_rows(path)
    predictions, latencies = [], []
    for row in rows:
        text = row["text"]
        if with_subject and row.get("subject"):
            text = f"{row['subject']}\n{text}"
        started = time.perf_counter()
        predictions.append(predict(text))
        latencies.append((time.perf_counter() - started) * 1000)
    shown = "subject + text" if with_subject else "text only"
    print(f"{mode} on {path.name}: {len(rows)} rows, {shown}")
    latencies.sort()
    print(
        f"latency per ticket: median {statistics.median(latencies):.2f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f} ms"
    )
    report("all rows", rows, predictions)
    for source in sorted({row.get("source") for row in rows if row.get("source")}):
        part = [i for i, row in enumerate(rows) if row.get("source") == source]
        report(source, [rows[i] for i in part], [predictions[i] for i in part])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "file", type=Path, nargs="?", help="JSON lines with text, category, priority"
    )
    parser.add_argument(
        "--with-subject", action="store_true", help='classify "subject\\ntext" where known'
    )
    parser.add_argument(
        "--pipeline", action="store_true", help="use classify() (Gemini when configured)"
    )
    parser.add_argument(
        "--model", type=Path, default=MODEL_PATH, help="offline model file (default: shipped)"
    )
    parser.add_argument(
        "--adversarial",
        type=Path,
        default=adversarial.ADVERSARIAL_PATH,
        help="adversarial set: attacks and controls (default: shipped)",
    )
    args = parser.parse_args()
    predict = predictor(args.pipeline, args.model)
    mode = "classify() pipeline" if args.pipeline else "offline model"
    if args.file:
        evaluate_labelled(args.file, predict, args.with_subject, mode)
    outcomes = adversarial.score(read_rows(args.adversarial), lambda text: predict(text)[1])
    adversarial.report(f"{args.adversarial.name}, {mode}", outcomes)


if __name__ == "__main__":
    main()
