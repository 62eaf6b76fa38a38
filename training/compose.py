"""Compose varied synthetic tickets from `issues.txt` and `phrases.txt`, reproducibly.

Each ticket is one issue phrasing (sometimes two) with its slots filled, wrapped in one of the
shapes support desks see: a formal e-mail, a short form entry, a chat line with typos, or an
agent's summary; sometimes with a title line. An impact sentence teaches priority beyond topic
words: "all our users are down" escalates a problem, "no rush" calms it, and the label follows
the rules in `_final_priority`. Pressing phrases that describe nothing (boilerplate) and demands
(shouting, claims of rank, instructions to the classifier) are added at every priority, so they
teach nothing. The same seed always yields the same tickets.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ticket_app.domain import Category, Priority

HERE = Path(__file__).resolve().parent
_SLOT = re.compile(r"\{(\w+)\}")
BOILERPLATE_RATE = 0.3  # share of tickets with a pressing-sounding phrase that changes nothing
DEMAND_RATE = 0.15  # share of tickets with a demand (shouting, rank, instructions): no impact
_ORDER = (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL)


@dataclass(frozen=True)
class Issue:
    category: Category
    priority: Priority
    kind: str  # "problem", "request" or "incident"
    titles: tuple[str, ...]
    phrasings: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    text: str
    category: Category
    priority: Priority
    group: str  # which issue block it came from, for leave-topics-out validation


def _lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.strip()


def load_phrases(path: Path = HERE / "phrases.txt") -> dict[str, tuple[str, ...]]:
    """Sections of `phrases.txt` by name; "-" stands for the empty choice."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _lines(path):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append("" if line == "-" else line)
    return {name: tuple(choices) for name, choices in sections.items()}


def load_issues(path: Path = HERE / "issues.txt") -> tuple[Issue, ...]:
    """Blocks of `issues.txt`: a "== category priority kind" header, titles, phrasings."""
    blocks: list[list[str]] = []
    for line in _lines(path):
        if line.startswith("== "):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    issues = []
    for header, titles, *phrasings in blocks:
        category, priority, kind = header[3:].split()
        if kind not in ("problem", "request", "incident") or not titles.startswith("title:"):
            raise ValueError(f"malformed issue block: {header}")
        issues.append(
            Issue(
                Category(category),
                Priority(priority),
                kind,
                tuple(title.strip() for title in titles[6:].split("|")),
                tuple(phrasings),
            )
        )
    return tuple(issues)


def _final_priority(issue: Issue, impact: Priority | None) -> Priority:
    """The label: incidents never drop; requests and general matters stop at high."""
    if impact is None:
        return issue.priority
    if issue.kind == "incident":
        return max(issue.priority, impact, key=_ORDER.index)
    if issue.kind == "request" or issue.category is Category.GENERAL:
        return min(impact, Priority.HIGH, key=_ORDER.index)
    return impact


def _pick_impact(issue: Issue, rng: random.Random) -> Priority | None:
    if rng.random() < 0.45:
        return None
    if issue.kind == "incident":
        return rng.choice((Priority.HIGH, Priority.CRITICAL))
    if issue.kind == "request":
        return rng.choice((Priority.LOW, Priority.LOW, Priority.MEDIUM, Priority.HIGH))
    if issue.category is Category.GENERAL:
        return rng.choice((Priority.LOW, Priority.MEDIUM, Priority.HIGH))
    return rng.choice(
        (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.HIGH, Priority.CRITICAL)
    )


def _typos(text: str, rng: random.Random, rate: float) -> str:
    """Drop or swap a few letters, the way hurried chat messages look."""
    chars = list(text)
    for index in range(len(chars) - 1):
        if chars[index].isalpha() and rng.random() < rate:
            if rng.random() < 0.5:
                chars[index] = ""
            else:
                chars[index], chars[index + 1] = chars[index + 1], chars[index]
    return "".join(chars)


class Composer:
    """Fills and wraps issues; one instance holds the phrase book and the random state."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible text, not security
        self.phrases = load_phrases()
        self.issues = load_issues()

    def pick(self, section: str) -> str:
        return self.fill(self.rng.choice(self.phrases[section]))

    def fill(self, template: str) -> str:
        return _SLOT.sub(lambda match: self.rng.choice(self.phrases[match.group(1)]), template)

    def shape(self, body: str, issue: Issue, impact: str) -> str:
        rng = self.rng
        shape = rng.random()
        if shape < 0.4:
            parts = [self.pick("opener") if rng.random() < 0.6 else ""]
            parts += [self.pick("context") if rng.random() < 0.4 else "", body]
            if issue.kind != "request" and rng.random() < 0.4:
                parts.append(self.pick(f"cause {issue.category}"))
            if issue.kind != "request" and rng.random() < 0.5:
                parts.append(self.pick(f"tried {issue.category}"))
            parts += [impact, self.pick("ask")]
            lines = [self.pick("greeting"), "", " ".join(part for part in parts if part)]
            if rng.random() < 0.7:
                lines += ["", self.pick("closing"), self.pick("name")]
            return "\n".join(lines)
        if shape < 0.7:
            if rng.random() < 0.3:
                body = self.pick("context") + " " + body
            framed = self.pick("frame").replace("@BODY@", body)
            return " ".join(part for part in (framed, impact) if part)
        if shape < 0.85:
            chat = " ".join(part for part in (body, impact) if part).lower().rstrip(".")
            return _typos(rng.choice(("", "hi ", "hello, ", "help! ")) + chat, rng, 0.015)
        prefix = self.pick("summary")
        return " ".join(part for part in (prefix, body, impact) if part)

    def example(self) -> Example:
        rng = self.rng
        index = rng.randrange(len(self.issues))
        issue = self.issues[index]
        level = _pick_impact(issue, rng)
        kind = "request" if issue.kind == "request" else "problem"
        impact = self.pick(f"impact {kind} {level}") if level else ""
        if rng.random() < BOILERPLATE_RATE:
            impact = " ".join(part for part in (impact, self.pick("boilerplate")) if part)
        first, second = rng.sample(issue.phrasings, 2)
        body = self.fill(first)
        if rng.random() < 0.3:
            body += " " + self.fill(second)
        text = self.shape(body, issue, impact)
        if rng.random() < DEMAND_RATE:
            demand = self.pick("demand")
            text = f"{demand}\n{text}" if rng.random() < 0.5 else f"{text}\n{demand}"
        if rng.random() < 0.35:
            text = self.fill(rng.choice(issue.titles)) + "\n" + text
        return Example(text, issue.category, _final_priority(issue, level), f"issue {index}")


def compose(count: int, seed: int = 20240601) -> list[Example]:
    """`count` synthetic tickets; the same seed always yields the same tickets."""
    composer = Composer(seed)
    return [composer.example() for _ in range(count)]
