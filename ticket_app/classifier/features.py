"""Text to sparse features, shared by training and the runtime scorer.

Training (scikit-learn) and serving (pure Python) call this same code, so the shipped weights
always see exactly the features they were trained on. Three groups:

- words and word pairs, for topic ("invoice", "reset password");
- character 4-grams inside words, for typos and inflections ("pasword", "cacount");
- urgency cues: regular expressions for what the topic words miss ("all users", "production is
  down", "charged twice", "no rush"), so priority reacts to impact and not only to subject.
"""

import itertools
import math
import re
from collections import Counter
from functools import lru_cache

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CHAR_NGRAM_SIZES = (4,)

_SYSTEMS = (
    r"(?:production|prod|site|website|web ?site|server|servers|service|services|system|systems|"
    r"platform|app|application|portal|checkout|store|shop|api|database|network|email|e-mail|"
    r"everything|dashboard|erp|crm)"
)
_PEOPLE = r"(?:users|customers|clients|staff|employees|colleagues|agents|stores|branches|offices)"

CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "outage": rf"\b{_SYSTEMS}\b[^.!?\n]{{0,30}}\b(?:is|are|went|has gone|have gone|goes)?\s*"
        r"(?:completely |totally |entirely )?(?:down|offline|unreachable|unavailable)\b"
        r"|\boutages?\b|\bdowntime\b|\bnot (?:loading|responding) (?:at all|for anyone)",
        "everyone": rf"\ball (?:of )?(?:our |the |my )?{_PEOPLE}\b|\bevery(?:one|body)\b"
        rf"|\bno ?one\b|\bnobody\b|\bnone of (?:our|the|my) {_PEOPLE}\b"
        r"|\b(?:entire|whole) (?:company|team|organi[sz]ation|office|department|staff)\b"
        r"|\bcompany-wide\b|\bsite-wide\b",
        "production": r"\bproduction\b|\blive (?:site|system|environment)\b|\bin prod\b",
        "security": r"\bbreach(?:ed)?\b|\bhack(?:ed|er|ers)?\b|\bcompromised\b|\bransomware\b"
        r"|\bmalware\b|\bphishing\b|\bunauthori[sz]ed\b|\bsecurity (?:incident|issue|hole)\b"
        r"|\bvulnerabilit(?:y|ies)\b|\bleak(?:ed)?\b|\bsuspicious (?:login|activity|sign-in)",
        "data_loss": r"\b(?:data|files|records|orders|documents|database) (?:was |were |has been "
        r"|have been )?(?:lost|deleted|wiped|erased|corrupted|gone)\b|\bdata loss\b"
        r"|\blost (?:all )?(?:our |my |the )?(?:data|files|records|work)\b",
        "money": r"\bcharged (?:twice|two times|three times|multiple times|again)\b"
        r"|\bdouble[- ]charged\b|\bduplicate (?:charge|payment)s?\b|\bovercharg"
        r"|\blosing (?:money|revenue|sales|orders|customers|business)\b|\bfraud"
        r"|\bcannot (?:take|accept|process) (?:any )?payments\b|\bmoney (?:is )?lost\b",
        "urgent": r"\burgent(?:ly)?\b|\basap\b|\bimmediately\b|\bemergency\b|\bcritical\b"
        r"|\bright now\b|\bas soon as possible\b",
        "impact": r"\bdisrupt\w*|\bsignificant(?:ly)? (?:impact|affect)\w*|\bimpacting\b"
        r"|\bseverely\b|\bseriously\b|\bour (?:daily |business )?operations\b"
        r"|\bbusiness[- ]critical\b"
        r"|\bhigh[- ]priority\b|\bprioriti[sz]e\b|\bessential\b",
        # Courtesy, not impact: formal e-mails ask for a "prompt" reply whatever the matter.
        "polite": r"\bearliest convenience\b|\bprompt(?:ly)?\b|\bswift(?:ly)?\b"
        r"|\bproductivity\b|\bappreciate\w*\b|\blook forward\b|\bgrateful\b",
        "blocked": r"\bblock(?:ed|ing|s)\b|\bcan(?:no|')t (?:work|do (?:my|our) (?:job|work))"
        r"|\bunable to work\b|\bat a standstill\b|\bhalted\b|\bdeadline\b",
        "question": r"\bhow (?:do|can|could|should) (?:i|we)\b|\bis it possible\b"
        r"|\bwould like to (?:know|ask|learn|understand|inquire|enquire)\b"
        r"|\bcould you (?:please )?(?:tell|explain|clarify|share|provide|send)\b|\bquestion\b"
        r"|\bwondering\b|\binquir|\benquir|\bcurious\b|\binformation (?:on|about|regarding)\b",
        "wish": r"\bfeature request\b|\bwould be (?:nice|great|helpful|useful)\b|\bsuggest"
        r"|\bwish\b|\bplease add\b|\bconsider adding\b|\bfeedback\b|\bidea\b",
        "calm": r"\bno rush\b|\bnot urgent\b|\bwhenever\b|\bno hurry\b|\bwhen you (?:have|get) "
        r"(?:a chance|time)\b|\blow priority\b|\bno deadline\b|\bexploring\b|\bconsidering\b"
        r"|\bfor future reference\b|\bminor\b|\bcosmetic\b|\bworkaround\b",
    }.items()
}


# Function words carry the writer's style, not the ticket's subject; as single words they would
# let the model learn how the composed templates are written. They stay in word pairs ("how do",
# "not working"), where they do carry meaning.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "then",
        "than",
        "so",
        "if",
        "into",
        "onto",
        "also",
        "just",
        "very",
    ]
)


def words(text: str) -> list[str]:
    """Lowercased word tokens; curly apostrophes are straightened first."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


@lru_cache(maxsize=65536)
def char_ngrams(token: str) -> tuple[str, ...]:
    """Character n-grams of one word with its boundaries marked; cached, as words repeat."""
    padded = f" {token} "
    return tuple(
        "c:" + padded[start : start + size]
        for size in CHAR_NGRAM_SIZES
        for start in range(len(padded) - size + 1)
    )


def extract(text: str) -> dict[str, float]:
    """Raw feature counts of one text (before idf and normalisation)."""
    tokens = words(text)
    counts: Counter[str] = Counter()
    content = [token for token in tokens if token not in STOPWORDS]
    for token in content:
        counts["w:" + token] += 1
    for first, second in itertools.pairwise(tokens):
        counts[f"b:{first} {second}"] += 1
    for token in content:
        for gram in char_ngrams(token):
            counts[gram] += 1
    lowered = text.lower()
    for name, pattern in CUES.items():
        if pattern.search(lowered):
            counts["q:" + name] = 1
    return dict(counts)


def weigh(counts: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear tf-idf, L2-normalised per group; cue flags stay 0/1.

    Features missing from `idf` are dropped, as a fitted vectoriser would drop them. Words (with
    word pairs) and character n-grams each get unit length separately, so long e-mails and short
    chat lines land on the same scale.
    """
    weighted: dict[str, float] = {}
    squares = {"w": 0.0, "c": 0.0}
    for name, count in counts.items():
        factor = idf.get(name)
        if factor is None:
            continue
        if name[0] == "q":
            weighted[name] = count
            continue
        value = (1.0 + math.log(count)) * factor
        weighted[name] = value
        squares["c" if name[0] == "c" else "w"] += value * value
    norms = {group: math.sqrt(total) for group, total in squares.items()}
    for name, value in weighted.items():
        if name[0] != "q":
            weighted[name] = value / norms["c" if name[0] == "c" else "w"]
    return weighted
