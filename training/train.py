"""Train the offline model and export it: `python -m training.train`.

Needs scikit-learn (a dev requirement); the exported file does not. Training data, all of it
shippable: the project's own composed tickets (`compose.py`, fixed seed) and the
Bitext sample rows (`bitext.jsonl`, CDLA-Sharing-1.0, category only). Tobi-Bueck rows
are never read here. `--cv` (used for the shipped model) first validates with whole topics held
out and fits the softmax temperature on those held-out predictions; see `cross_validate`.
"""

import argparse
import gzip
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from ticket_app.classifier.evaluate import fold
from ticket_app.classifier.features import extract, weigh
from ticket_app.classifier.offline import FORMAT, MODEL_PATH, pick_priority, softmax
from training.compose import HERE as TRAINING_DIR
from training.compose import compose

SYNTHETIC_COUNT = 20000
SEED = 20240601
MIN_DF = 2
C = 10.0
TOL = 1e-3
PRUNE_BELOW = 0.002
DECIMALS = 4
# What a support desk's priorities look like (most tickets are routine): the priority model's
# scores are shifted from the composed set's label mix to this one (a standard prior-shift
# correction), since the composed set over-represents incidents to teach what they look like.
# Low and medium weigh the same: with requesters filing their own tickets many are routine
# questions, and a ticket earns medium by describing a problem, not by default.
DESK_PRIORITY_PRIOR = {"low": 0.35, "medium": 0.35, "high": 0.22, "critical": 0.08}
MARGINS = tuple(step / 20 for step in range(0, 11))  # 0.0 .. 0.5


@dataclass
class Corpus:
    """Texts with their labels; priority is None for Bitext rows, which have none."""

    texts: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    priorities: list[str | None] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # topic of each row, for validation


def load_corpus() -> Corpus:
    corpus = Corpus()
    for example in compose(SYNTHETIC_COUNT, SEED):
        corpus.texts.append(example.text)
        corpus.categories.append(example.category.value)
        corpus.priorities.append(example.priority.value)
        corpus.groups.append(example.group)
    for line in (TRAINING_DIR / "bitext.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        corpus.texts.append(row["text"])
        corpus.categories.append(row["category"])
        corpus.priorities.append(None)
        corpus.groups.append("bitext " + row["intent"])
    return corpus


class Fitted:
    """Idf table, vectoriser and the two logistic regressions fitted on one corpus."""

    def __init__(
        self,
        raw: list[dict[str, float]],
        categories: list[str],
        priorities: list[str | None],
    ) -> None:
        document_frequency = Counter(name for features in raw for name in features)
        size = len(raw)
        self.idf = {
            name: math.log((1 + size) / (1 + count)) + 1.0
            for name, count in document_frequency.items()
            if count >= MIN_DF or name.startswith("q:")
        }
        self.vectorizer = DictVectorizer()
        matrix = self.vectorizer.fit_transform([weigh(features, self.idf) for features in raw])
        # Urgency cues ("prompt", "security", "outage") are for priority only: the queue is
        # decided by what the ticket is about and wants, and the composed tickets tie the cues
        # to categories far more tightly than real tickets do.
        self.topic_columns = np.array(
            [not name.startswith("q:") for name in self.vectorizer.feature_names_]
        )
        self.category = LogisticRegression(C=C, tol=TOL, max_iter=5000).fit(
            matrix[:, self.topic_columns], categories
        )
        rows = [index for index, priority in enumerate(priorities) if priority is not None]
        labels = [priorities[index] for index in rows]
        self.priority = LogisticRegression(C=C, tol=TOL, max_iter=5000).fit(matrix[rows], labels)
        mix = Counter(labels)
        self.prior_shift = np.array(
            [
                math.log(DESK_PRIORITY_PRIOR[label] / (mix[label] / len(labels)))
                for label in self.priority.classes_
            ]
        )

    def priority_scores(self, raw: list[dict[str, float]]) -> np.ndarray:
        """Priority scores with the desk prior applied, as the exported bias will have it."""
        matrix = self.vectorizer.transform([weigh(features, self.idf) for features in raw])
        return self.priority.decision_function(matrix) + self.prior_shift

    def category_scores(self, raw: list[dict[str, float]]) -> np.ndarray:
        matrix = self.vectorizer.transform([weigh(features, self.idf) for features in raw])
        return self.category.decision_function(matrix[:, self.topic_columns])

    def export(self, temperature: float, margin: float) -> dict:
        """Columns of rounded weights; features that matter to neither model are dropped."""
        category_weights = np.zeros((len(self.category.classes_), len(self.topic_columns)))
        category_weights[:, self.topic_columns] = self.category.coef_
        weights = np.vstack([category_weights, self.priority.coef_])
        keep = np.flatnonzero(np.abs(weights).max(axis=0) >= PRUNE_BELOW)
        names = [self.vectorizer.feature_names_[column] for column in keep]
        split = len(self.category.classes_)

        def columns(rows: np.ndarray) -> list[list[float]]:
            return [[round(float(w), DECIMALS) for w in row[keep]] for row in rows]

        return {
            "format": FORMAT,
            "categories": list(self.category.classes_),
            "priorities": list(self.priority.classes_),
            "category_bias": [round(float(b), DECIMALS) for b in self.category.intercept_],
            "priority_bias": [
                round(float(b), DECIMALS) for b in self.priority.intercept_ + self.prior_shift
            ],
            "priority_margin": margin,
            "temperature": round(temperature, 3),
            "features": names,
            "idf": [round(self.idf[name], DECIMALS) for name in names],
            "category_weights": columns(weights[:split]),
            "priority_weights": columns(weights[split:]),
        }


def fit_temperature(scores: np.ndarray, labels: list[int]) -> float:
    """The softmax temperature with the lowest log-loss on held-out predictions (grid search)."""

    def log_loss(temperature: float) -> float:
        return -sum(
            math.log(max(softmax(list(row), temperature)[label], 1e-12))
            for row, label in zip(scores, labels, strict=True)
        )

    return min((step / 20 for step in range(10, 121)), key=log_loss)


def fit_margin(scores: np.ndarray, classes: list[str], truth: list[str]) -> float:
    """The margin over medium that gives the best folded macro-F1 on held-out composed rows.

    Rows are weighted from the composed label mix to the desk prior, so the choice is made for
    a desk where most tickets are medium, not for the composed set's share of incidents.
    """
    mix = Counter(truth)
    weights = [DESK_PRIORITY_PRIOR[label] / (mix[label] / len(truth)) for label in truth]
    folded_truth = fold(truth)
    probabilities = [softmax(list(row)) for row in scores]
    results = {}
    for margin in MARGINS:
        guess = fold([classes[pick_priority(row, classes, margin)] for row in probabilities])
        results[margin] = f1_score(folded_truth, guess, average="macro", sample_weight=weights)
    print(
        "priority margin over medium -> held-out folded macro-F1 (desk-weighted): "
        + ", ".join(f"{margin:.2f}: {score:.3f}" for margin, score in results.items())
    )
    best = max(results.values())
    # The smallest margin within half a point of the best: prefer the model's own judgement.
    return min(margin for margin, score in results.items() if score >= best - 0.005)


def cross_validate(raw: list[dict[str, float]], corpus: Corpus) -> tuple[float, float]:
    """Leave-topics-out validation; returns the temperature and the priority margin.

    Folds are split by topic (a composed issue block, a Bitext intent), so each row is scored by
    a model that never saw its kind of ticket: closer to new real tickets than a random split of
    templated text, which would make the confidence far too sure of itself. Both the softmax
    temperature and the priority margin are fitted on these held-out predictions.
    """
    scores = np.zeros((len(raw), len(set(corpus.categories))))
    priority_scores = np.zeros((len(raw), len(DESK_PRIORITY_PRIOR)))
    classes: list[str] = []
    priority_classes: list[str] = []
    for train_rows, test_rows in GroupKFold(n_splits=5).split(raw, groups=corpus.groups):
        fitted = Fitted(
            [raw[i] for i in train_rows],
            [corpus.categories[i] for i in train_rows],
            [corpus.priorities[i] for i in train_rows],
        )
        scores[test_rows] = fitted.category_scores([raw[i] for i in test_rows])
        priority_scores[test_rows] = fitted.priority_scores([raw[i] for i in test_rows])
        classes = list(fitted.category.classes_)
        priority_classes = list(fitted.priority.classes_)
    predicted = [classes[int(np.argmax(row))] for row in scores]
    for name, keep in (("composed", True), ("Bitext", False)):
        rows = [i for i, p in enumerate(corpus.priorities) if (p is not None) == keep]
        truth = [corpus.categories[i] for i in rows]
        guess = [predicted[i] for i in rows]
        print(
            f"{name} rows, topics held out: category accuracy {accuracy_score(truth, guess):.3f}"
            f", macro-F1 {f1_score(truth, guess, average='macro'):.3f}"
        )
    temperature = fit_temperature(scores, [classes.index(c) for c in corpus.categories])
    print(f"fitted temperature {temperature:.2f}")
    composed = [i for i, p in enumerate(corpus.priorities) if p is not None]
    margin = fit_margin(
        priority_scores[composed], priority_classes, [corpus.priorities[i] for i in composed]
    )
    print(f"fitted priority margin {margin:.2f}")
    return temperature, margin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    parser.add_argument("--cv", action="store_true", help="cross-validate and fit temperature")
    parser.add_argument(
        "--temperature", type=float, default=1.0, help="softmax temperature without --cv"
    )
    parser.add_argument(
        "--margin", type=float, default=0.0, help="priority margin over medium without --cv"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = load_corpus()
    raw = [extract(text) for text in corpus.texts]
    counts = dict(sorted(Counter(corpus.categories).items()))
    print(f"corpus: {len(raw)} texts, categories {counts}")
    if args.cv:
        temperature, margin = cross_validate(raw, corpus)
    else:
        temperature, margin = args.temperature, args.margin
    model = Fitted(raw, corpus.categories, corpus.priorities).export(temperature, margin)
    payload = json.dumps(model, separators=(",", ":"), sort_keys=True).encode("utf-8")
    args.out.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, "
        f"{len(model['features'])} features) in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
