"""How far can a model get on a labelled file? `python -m training.ceiling FILE.jsonl`.

Two optimistic bounds, both fitted on the file itself, so neither is a model we could ship (the
Tobi-Bueck rows may never train shipped weights) and both flatter what they measure:

- in-domain: word and character n-gram logistic regressions trained by 5-fold cross-validation
  on the rows of each source, with the best setting of a small grid reported;
- tuned biases: the shipped offline model with one offset per class searched on the file to
  maximise the score, the most that any threshold or prior choice could add to it.

A target above both is beyond what the file's labels let a text model reach. Needs scikit-learn
(a dev requirement), like `train.py`.
"""

import argparse
import itertools
import math
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline, make_union

from ticket_app.classifier.evaluate import fold, read_rows
from ticket_app.classifier.offline import MODEL_PATH, OfflineModel

GRID_C = (1.0, 3.0, 10.0)
GRID_CLASS_WEIGHT = (None, "balanced")
OFFSETS = np.arange(-2.0, 2.01, 0.2)
FOLDED = ("low", "medium", "high")


def _score(labels: list[str], predicted: list[str], score: str) -> float:
    if score == "accuracy":
        return accuracy_score(labels, predicted)
    return f1_score(labels, predicted, average="macro")


def in_domain(texts: list[str], labels: list[str], score: str) -> tuple[float, str]:
    """Best cross-validated score over the grid, and the setting that gave it."""
    results = []
    for c, class_weight in itertools.product(GRID_C, GRID_CLASS_WEIGHT):
        model = make_pipeline(
            make_union(
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
            ),
            LogisticRegression(C=c, class_weight=class_weight, max_iter=3000),
        )
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        predicted = cross_val_predict(model, texts, labels, cv=folds)
        value = _score(labels, predicted, score)
        results.append((value, f"C={c:g}, class_weight={class_weight}"))
    return max(results)


def tuned_biases(
    log_probabilities: np.ndarray, classes: list[str], labels: list[str], score: str
) -> float:
    """The best score reachable by adding one offset per class (the first class stays at 0)."""
    best = 0.0
    for offsets in itertools.product(OFFSETS, repeat=len(classes) - 1):
        shifted = log_probabilities + np.array([0.0, *offsets])
        predicted = [classes[index] for index in np.argmax(shifted, axis=1)]
        value = _score(labels, predicted, score)
        best = max(best, value)
    return best


def shipped_log_probabilities(
    model: OfflineModel, texts: list[str]
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Category log-probabilities, and priority ones with critical folded into high."""
    categories, priorities = [], []
    for text in texts:
        prediction = model.predict(text)
        categories.append([math.log(p) for p in prediction.category_probabilities.values()])
        by_level = {level.value: p for level, p in prediction.priority_probabilities.items()}
        by_level["high"] += by_level.pop("critical")
        priorities.append([math.log(by_level[level]) for level in FOLDED])
    names = [category.value for category in model.categories]
    return np.array(categories), names, np.array(priorities)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="JSON lines with text, category, priority")
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="offline model file")
    args = parser.parse_args()
    rows = read_rows(args.file)
    model = OfflineModel.load(args.model)
    for source in sorted({row.get("source") or "" for row in rows}):
        part = [row for row in rows if (row.get("source") or "") == source]
        texts = [row["text"] for row in part]
        categories = [row["category"] for row in part]
        print(f"\n== {source or 'rows without a source'} ({len(part)} rows)")
        category_scores, category_names, priority_scores = shipped_log_probabilities(model, texts)
        if len(set(categories)) > 1:
            value, setting = in_domain(texts, categories, "accuracy")
            print(f"category accuracy, in-domain cross-validated: {value:.3f} ({setting})")
            value = tuned_biases(category_scores, category_names, categories, "accuracy")
            print(f"category accuracy, shipped model with biases tuned on this file: {value:.3f}")
        labelled = [i for i, row in enumerate(part) if row.get("priority")]
        if len(labelled) < 50:
            continue
        levels = fold([part[i]["priority"] for i in labelled])
        value, setting = in_domain([texts[i] for i in labelled], levels, "macro-F1")
        print(f"priority macro-F1 (folded), in-domain cross-validated: {value:.3f} ({setting})")
        value = tuned_biases(priority_scores[labelled], list(FOLDED), levels, "macro-F1")
        print(f"priority macro-F1 (folded), shipped model with biases tuned: {value:.3f}")


if __name__ == "__main__":
    main()
