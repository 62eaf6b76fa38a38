"""The offline model: exported linear weights scored in pure Python.

Training uses scikit-learn (`train.py`); the app image does not need it. The shipped file holds
the feature names, their idf, one weight column per category and per priority, and the biases.
Scoring a ticket is a dictionary lookup per feature and class, and a softmax: milliseconds on
one core, no network.
"""

import gzip
import json
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ticket_app.classifier.features import extract, weigh
from ticket_app.domain import Category, Priority

MODEL_PATH = Path(__file__).resolve().parent / "model.json.gz"
FORMAT = 2


@dataclass(frozen=True, slots=True)
class LocalPrediction:
    """The model's choice and its probabilities; `confidence` is P(chosen category)."""

    category: Category
    priority: Priority
    confidence: float
    category_probabilities: dict[Category, float]
    priority_probabilities: dict[Priority, float]


def softmax(scores: Sequence[float], temperature: float = 1.0) -> list[float]:
    top = max(scores)
    exps = [math.exp((score - top) / temperature) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


def pick_priority(probabilities: Sequence[float], classes: Sequence[str], margin: float) -> int:
    """Index of the suggested priority: medium unless another level leads it by `margin`.

    Most tickets at a support desk are routine; leaving medium takes a clear signal (an outage,
    "no rush"), so a weak lead for low or high does not move the suggestion. A strong one does,
    critical included.
    """
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    if "medium" not in classes:
        return best
    medium = list(classes).index("medium")
    if probabilities[best] - probabilities[medium] < margin:
        return medium
    return best


class OfflineModel:
    """Two multinomial logistic regressions (category, priority) over the same features."""

    def __init__(self, data: dict) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported model format {data.get('format')!r}")
        self.categories = [Category(value) for value in data["categories"]]
        self.priorities = [Priority(value) for value in data["priorities"]]
        self.category_bias: list[float] = data["category_bias"]
        self.priority_bias: list[float] = data["priority_bias"]
        self.temperature: float = data["temperature"]
        self.priority_margin: float = data.get("priority_margin", 0.0)
        names: list[str] = data["features"]
        self.idf = dict(zip(names, data["idf"], strict=True))
        # One weight table per class: scoring is then one C-level sum per class.
        self.category_weights = [
            dict(zip(names, column, strict=True)) for column in data["category_weights"]
        ]
        self.priority_weights = [
            dict(zip(names, column, strict=True)) for column in data["priority_weights"]
        ]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "OfflineModel":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def predict(self, text: str) -> LocalPrediction:
        vector = weigh(extract(text), self.idf)
        names, values = list(vector), list(vector.values())
        category_scores = [
            bias + sum(map(operator.mul, values, map(weights.__getitem__, names)))
            for bias, weights in zip(self.category_bias, self.category_weights, strict=True)
        ]
        priority_scores = [
            bias + sum(map(operator.mul, values, map(weights.__getitem__, names)))
            for bias, weights in zip(self.priority_bias, self.priority_weights, strict=True)
        ]
        category_probs = softmax(category_scores, self.temperature)
        priority_probs = softmax(priority_scores)
        best_category = max(range(len(category_probs)), key=category_probs.__getitem__)
        best_priority = pick_priority(
            priority_probs, [p.value for p in self.priorities], self.priority_margin
        )
        return LocalPrediction(
            category=self.categories[best_category],
            priority=self.priorities[best_priority],
            confidence=category_probs[best_category],
            category_probabilities=dict(zip(self.categories, category_probs, strict=True)),
            priority_probabilities=dict(zip(self.priorities, priority_probs, strict=True)),
        )
