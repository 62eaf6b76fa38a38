"""Ticket text to weighted terms, the vocabulary of the similar-tickets index.

A ticket is the bag of its distinctive words: casefolded, Snowball-stemmed ("refunds",
"refunded" -> "refund"), with function words and desk chatter ("please", "help", "hello",
"issue") left out. Every ticket says those, so they would make unrelated tickets look alike
and give a "please help me" confident matches.

Vectors are SMART `lnc.ltc`: a ticket's terms weigh 1 + ln(tf), without idf, scaled to unit
length (`document`), so each is stored once and never goes stale; a query's weigh
(1 + ln tf) x idf with the document frequencies of the moment (`query_counts`, and the
service applies idf). A score is the dot product of the two: a cosine, 0..1. Title words
count TITLE_WEIGHT times, as a title says what the ticket is about.

Terms are stored as 63-bit keys (a BLAKE2b digest), which both databases keep in a BIGINT;
two of a million words share a key with odds of about one in ten million. Changing what a
term is (words, stems, stop words) changes the keys: it needs a migration that rebuilds the
index, so VERSION names the rules.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b

import snowballstemmer

VERSION = 1
TITLE_WEIGHT = 2
MAX_TERMS = 32  # per ticket: the heaviest ones (a pasted log adds nothing after that)
TEXT_LIMIT = 4000  # characters of the description that are read
WORD = re.compile(r"[^\W_]+")

# Function words, and what every support message says whatever it is about.
STOP_WORDS = frozenset(
    """
    a an the and or but nor of to in on at for with from by as is are was were be been being it
    its this that these those there here then than so if into onto also just very too each
    every all both few many much more most other others such same own only again already still
    now ever never always before after while because until since during through over under
    off out up further once
    i me my mine myself we us our ours you your yours he him his she her they them their what
    which who whom whose how when where why can could would should will shall may might must
    do does did done doing have has had having am not no yes ok okay
    im ive id dont cant wont isnt doesnt didnt
    please pls plz help helps helping hello hi hey dear thanks thank thx regards cheers best
    kind sir madam team support assist assistance need needs want wanted wanna like get got
    know tell let issue issues problem problems question questions query some any about one
    something someone somebody anyone anybody anything information info look looking
    """.split()  # noqa: SIM905 -- a block of words reads better than 190 quoted ones
)

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str | None:
    """The term a (casefolded) word stands for, or None for a stop word or a lone letter."""
    if word in STOP_WORDS or len(word) < 2:
        return None
    return _stemmer.stemWord(word)


@lru_cache(maxsize=100_000)
def key(term: str) -> int:
    """The term's 63-bit key (fits a signed BIGINT)."""
    return int.from_bytes(blake2b(term.encode(), digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class Counted:
    """A text's term counts (title words weighted) and, per term, the first word that gave
    it, to name shared words the way the reader wrote them."""

    counts: Counter[str]
    words: dict[str, str]


def count(title: str, description: str) -> Counted:
    """The terms of a ticket's text with their (weighted) counts."""
    counts: Counter[str] = Counter()
    words: dict[str, str] = {}
    for text, weight in ((title, TITLE_WEIGHT), (description[:TEXT_LIMIT], 1)):
        for word in WORD.findall(text.casefold()):
            term = stem(word)
            if term is not None:
                counts[term] += weight
                words.setdefault(term, word)
    return Counted(counts, words)


def log_tf(frequency: int) -> float:
    return 1.0 + math.log(frequency)


def document(title: str, description: str) -> dict[int, float]:
    """The stored vector: MAX_TERMS heaviest terms, 1 + ln(tf) scaled to unit length."""
    counts = count(title, description).counts
    kept = counts.most_common(MAX_TERMS)  # ties keep the order of first appearance
    weights = {term: log_tf(frequency) for term, frequency in kept}
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {key(term): weight / norm for term, weight in weights.items()}
