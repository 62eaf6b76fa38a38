"""The offline model: exported linear weights scored in pure Python.

Training uses scikit-learn (`training/train.py`, outside the package); the app image does not
need it. The shipped file holds the feature names, their idf, one weight column per category and
per priority, and the biases.
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

from ticket_app.classifier.features import STOPWORDS, extract, weigh
from ticket_app.domain import Category, Priority

MODEL_PATH = Path(__file__).resolve().parent / "model.json.gz"
FORMAT = 2

# Words that say nothing about what a ticket is about, whoever wrote it: the features' function
# words plus pronouns, auxiliaries, question words and greetings. They are no evidence.
_GENERIC = (
    "i me my mine we our ours us you your yours he she him her his they them their i'm i've "
    "i'd we're we've you're it's what's can could would should will shall may might must do "
    "does did done have has had having what which who whom whose how when where why like about "
    "all out up down not no yes please thanks thank hi hello hey dear ok okay also too any some "
    "one two get got make made want need going"
)
GENERIC_WORDS = STOPWORDS | frozenset(_GENERIC.split())
PLACED_AT = 3.0
"""Net known words (each known word counts one, each word never seen in training costs half) at
which a text counts as fully placed; below it the confidence shrinks in proportion."""


def placement(counts: dict[str, float], vocabulary: dict[str, float]) -> float:
    """How much of a text the model can place, 0..1, from its raw feature counts.

    A category probability alone is sure of itself on text the model cannot read: gibberish and
    off-topic chatter land in the catch-all with a high probability. What such text lacks is
    words the model knows, so the evidence is the number of known content words, less half the
    number of content words it never saw.
    """
    content = [
        name
        for name in counts
        if name[0] == "w" and len(name) > 3 and not name[2:].isdigit()
        if name[2:] not in GENERIC_WORDS
    ]
    known = sum(name in vocabulary for name in content)
    return min(1.0, max(0.0, (known - (len(content) - known) / 2) / PLACED_AT))


@dataclass(frozen=True, slots=True)
class LocalPrediction:
    """The model's choice and its probabilities; `confidence` is P(chosen category) times how
    much of the text the model could place (`placement`)."""

    category: Category
    priority: Priority
    confidence: float
    category_probabilities: dict[Category, float]
    priority_probabilities: dict[Priority, float]
    placed: float = 1.0


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

    def placed(self, text: str) -> float:
        """How much of `text` this model can place, 0..1 (see `placement`)."""
        return placement(extract(text), self.idf)

    def predict(self, text: str) -> LocalPrediction:
        counts = extract(text)
        vector = weigh(counts, self.idf)
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
        placed = placement(counts, self.idf)
        return LocalPrediction(
            category=self.categories[best_category],
            priority=self.priorities[best_priority],
            confidence=category_probs[best_category] * placed,
            category_probabilities=dict(zip(self.categories, category_probs, strict=True)),
            priority_probabilities=dict(zip(self.priorities, priority_probs, strict=True)),
            placed=placed,
        )
