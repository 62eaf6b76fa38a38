"""Redaction: another customer's personal and order data out of a text, before the text is
used as a source for a reply to someone else.

A source is another customer's conversation. Before it reaches the model or a draft, what
belongs to that customer is replaced by a neutral placeholder ("[order number]", "[name]"):
e-mail addresses, phone numbers, order, invoice, account and other reference numbers, amounts
of money, street addresses, and names: after an honorific ("Mr. Jones"), in a greeting or a
sign-off, after "my name is", the names the desk knows (the source's requester), and any
capitalised word or number the reply echoes from its customer's own message ("shipping to
Toronto" answering "do you ship to Toronto"): a reply repeats what its customer said, and
that is the customer's. Words the ticket being answered says itself (`keep`) may stay, as far
as echoes go: they are this customer's words, not the other's.

Pure functions over text; no database, no Reflex (like the classifier), so the evaluation and
the tests call them directly.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ticket_app.similarity.terms import STOP_WORDS

NAME = "[name]"
EMAIL = "[email]"
PHONE = "[phone]"
ORDER = "[order number]"
INVOICE = "[invoice number]"
ACCOUNT = "[account number]"
REFERENCE = "[reference number]"
AMOUNT = "[amount]"
ADDRESS = "[address]"
DETAIL = "[detail]"
PLACEHOLDERS = (NAME, EMAIL, PHONE, ORDER, INVOICE, ACCOUNT, REFERENCE, AMOUNT, ADDRESS, DETAIL)

_WORD = r"[A-Z][\w'’-]*"
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CURRENCY = r"(?:[$€£¥₹]|(?:usd|eur|gbp|chf|cad|aud)\b)"
_MONEY_WORD = r"(?:dollars?|bucks|euros?|pounds?|usd|eur|gbp|chf|cents?)\b"
_NUMBER = r"\d[\d,.]*\d|\d"
_AMOUNT = re.compile(
    rf"{_CURRENCY}\s?(?:{_NUMBER})(?:\s?[km]\b)?|(?:{_NUMBER})\s?(?:{_MONEY_WORD}|[$€£¥₹])",
    re.I,
)
_PHONE = re.compile(r"(?<![\w#])\+?\(?\d{1,4}\)?(?:[\s./-]\(?\d{2,5}\)?){2,6}(?![\w])")
_REFERENCE = re.compile(
    r"(?<![\w#])(?:#?[A-Za-z]{1,6}[-#/]\d{2,}[\w-]*|#?[A-Za-z]{0,6}\d[\d-]{2,}[A-Za-z0-9]*|#\d+)"
    r"(?![\w])"
)
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Crescent|Close|Parkway|Highway|Hwy|Strasse|Straße|Allee|Platz|Weg)"
)
_ADDRESS = re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_WORD}\s+){{1,3}}{_STREET}\b", re.U)
_HONORIFIC = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam)\.?\s+{_WORD}(?:\s+{_WORD})?")
_SELF = re.compile(rf"\b(?i:my name is|my name's|i am|i'm|this is)\s+({_WORD}(?:\s+{_WORD})?)")
_GREETING = re.compile(
    rf"\b(?i:hi|hello|hey|dear|thanks|thank you|good (?:morning|afternoon|evening)),?\s+"
    rf"({_WORD}(?:\s+{_WORD})?)"
)
_SIGN_OFF = re.compile(
    rf"\b(?i:regards|best|thanks|cheers|sincerely|yours|thank you)[,!.]?[ \t]*\n+[ \t]*"
    rf"({_WORD}(?:[ \t]+{_WORD})?)"
)
_BEFORE_PLAN = re.compile(
    r"(?<!\w)(?<!\w['’])(\w[\w'’-]*)(?=\W{0,3}\s+(?:account|plan|tier|membership|subscription|package)s?\b)",
    re.I,
)
_PLAN_WORDS = frozenset(
    [
        "new",
        "existing",
        "current",
        "old",
        "same",
        "second",
        "another",
        "different",
        "online",
        "user",
        "customer",
    ]
)
_CAPITALISED = re.compile(r"(?<!\w)(?<!\w['’])([A-Z][\w'’-]*)")  # a quote, not "don't"
_NOT_NAMES = frozenset(
    [
        "team",
        "there",
        "all",
        "everyone",
        "everybody",
        "again",
        "so",
        "for",
        "there's",
        "support",
        "customer",
        "customers",
        "agent",
        "agents",
        "staff",
        "guys",
        "folks",
        "in",
        "on",
        "the",
        "a",
        "an",
        "you",
        "your",
        "we",
        "our",
        "i",
        "it",
        "this",
        "that",
    ]
)
_KIND_BY_CONTEXT = (
    (re.compile(r"(invoice|bill|receipt|statement)", re.I), INVOICE),
    (re.compile(r"(account|acct|member|customer (?:id|number)|iban|card)", re.I), ACCOUNT),
    (re.compile(r"(order|purchase|tracking|shipment|package|parcel|delivery)", re.I), ORDER),
    (re.compile(r"(phone|call|tel\b|mobile|cell|whatsapp|fax|sms|text me)", re.I), PHONE),
)
_KIND_BY_PREFIX = (
    (re.compile(r"^#?(inv|bill)", re.I), INVOICE),
    (re.compile(r"^#?(ord|po|so)\b|^#?(ord|po)[-#/]?\d", re.I), ORDER),
    (re.compile(r"^#?(acc|acct|cust)", re.I), ACCOUNT),
)
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    placeholder: str


def _reference_kind(text: str, start: int, token: str) -> str | None:
    for pattern, kind in _KIND_BY_PREFIX:
        if pattern.search(token):
            return kind
    if _YEAR.match(token):
        return None
    before = re.split(r"[.!?\n]\s", text[max(0, start - 40) : start])[-1]
    found = [
        (match.end(), kind)
        for pattern, kind in _KIND_BY_CONTEXT
        for match in pattern.finditer(before)
    ]
    if found:
        return max(found)[1]  # the nearest keyword before the number names it
    digits = sum(char.isdigit() for char in token)
    return REFERENCE if digits >= 4 or token.startswith("#") else None


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“(")
    return not before or before[-1] in ".!?:\n-•*"


def _spans(text: str, names: Iterable[str], customer_text: str, keep: str) -> list[Span]:
    spans: list[Span] = []

    def add(pattern: re.Pattern[str], placeholder: str, group: int = 0) -> None:
        for match in pattern.finditer(text):
            if group and match.group(group).lower() in _NOT_NAMES:
                continue
            spans.append(Span(match.start(group), match.end(group), placeholder))

    add(_TEMPLATE, "")  # another template's placeholder is not data: left for the filler
    add(_EMAIL, EMAIL)
    add(_AMOUNT, AMOUNT)
    add(_ADDRESS, ADDRESS)
    add(_PHONE, PHONE)
    for match in _REFERENCE.finditer(text):
        kind = _reference_kind(text, match.start(), match.group())
        if kind is not None:
            spans.append(Span(match.start(), match.end(), kind))
    add(_HONORIFIC, NAME)
    add(_SELF, NAME, 1)
    add(_GREETING, NAME, 1)
    add(_SIGN_OFF, NAME, 1)
    for name in names:
        for part in {name, *name.split()}:
            if len(part) >= 2 and part.lower() not in STOP_WORDS:
                for match in re.finditer(rf"(?<![\w]){re.escape(part)}(?![\w])", text, re.I):
                    spans.append(Span(match.start(), match.end(), NAME))
    if customer_text:
        theirs = {word.lower() for word in re.findall(r"[\w'’-]+", customer_text)}
        ours = {word.lower() for word in re.findall(r"[\w'’-]+", keep)}
        for match in _CAPITALISED.finditer(text):
            word = match.group(1).lower()
            if (
                word in theirs
                and word not in ours
                and word not in STOP_WORDS
                and word not in _NOT_NAMES
                and not _sentence_start(text, match.start())
            ):
                spans.append(Span(match.start(), match.end(), DETAIL))
        for match in _BEFORE_PLAN.finditer(text):  # "a pro account" echoing "pro account"
            word = match.group(1).lower()
            named = word in theirs or match.group(1)[0].isupper()  # theirs, or a plan's name
            if named and word not in ours | STOP_WORDS | _PLAN_WORDS | _NOT_NAMES:
                spans.append(Span(match.start(1), match.end(1), DETAIL))
    return spans


def _chosen(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, the earliest (then the longest) winning."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and span.start < chosen[-1].end:
            if span.end > chosen[-1].end and chosen[-1].placeholder:
                last = chosen[-1]
                chosen[-1] = Span(last.start, span.end, last.placeholder)
            continue
        chosen.append(span)
    return chosen


def redact(text: str, *, names: Iterable[str] = (), customer_text: str = "", keep: str = "") -> str:
    """`text` with personal and order data replaced by neutral placeholders.

    `names`: people the desk knows the text mentions (the source's requester); `customer_text`:
    what the source's customer wrote (echoes of it are theirs); `keep`: the text of the ticket
    being answered (its own words may stay where they are only echoes).
    """
    out: list[str] = []
    position = 0
    for span in _chosen(_spans(text, list(names), customer_text, keep)):
        out.append(text[position : span.start])
        out.append(span.placeholder or text[span.start : span.end])
        position = span.end
    out.append(text[position:])
    return _collapse("".join(out))


def _collapse(text: str) -> str:
    """ "[name] [name]" (a first and a last name found apart) reads as one placeholder."""
    for placeholder in PLACEHOLDERS:
        doubled = re.escape(placeholder) + r"(?:[ \t]+" + re.escape(placeholder) + ")+"
        text = re.sub(doubled, placeholder, text)
    return text


def details(text: str) -> dict[str, list[str]]:
    """The data a text holds, by placeholder: what this ticket's own text can fill in."""
    found: dict[str, list[str]] = {}
    for span in _chosen(_spans(text, (), "", "")):
        if span.placeholder:
            value = text[span.start : span.end]
            if value not in found.setdefault(span.placeholder, []):
                found[span.placeholder].append(value)
    return found
