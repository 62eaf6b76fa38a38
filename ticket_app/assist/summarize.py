"""The offline summary of a long conversation: its sentences that carry the request, what
was tried, the questions still open and the latest state, plus the requester's mood from a
small word list. Extractive: every line is the conversation's own words (shortened), so it
cannot state what nobody said. No database, no Reflex.
"""

import re
from collections.abc import Sequence

from ticket_app.assist.writer import SUMMARY_MAX, Message

LINE_MAX = 220
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_TRIED = re.compile(
    r"\b(tried|try|restart|reboot|reset|reinstall|clear|cleared|checked|update|updated|"
    r"steps?|workaround|refund(?:ed)?|sent|escalat|replaced|resend|resent)\w*",
    re.I,
)
_UPSET = re.compile(
    r"\b(angry|furious|unacceptable|ridiculous|frustrat\w*|disappointed|annoy\w*|terrible|"
    r"awful|worst|still (?:not|no|broken)|again|waste|cancel my|lawyer|complain\w*)\b|!{2,}",
    re.I,
)
_PLEASED = re.compile(r"\b(thanks?|thank you|great|perfect|works now|appreciate|solved)\b", re.I)


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if len(part.strip()) > 3]


def _short(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= LINE_MAX else sentence[: LINE_MAX - 1] + "…"


def _mood(messages: Sequence[Message]) -> str:
    theirs = [message.text for message in messages if not message.staff][-3:]
    upset = sum(len(_UPSET.findall(text)) for text in theirs)
    pleased = sum(len(_PLEASED.findall(text)) for text in theirs)
    if upset >= 2 or upset > pleased:
        return "frustrated"
    if pleased > upset:
        return "satisfied"
    return "neutral"


def summarize(messages: Sequence[Message]) -> str:
    """Five lines: Request, Tried, Open, Latest, Mood (those with nothing to say left out)."""
    if not messages:
        return ""
    request = "; ".join(_sentences(messages[0].text)[:2]) or messages[0].text
    tried = [
        sentence
        for message in messages[1:]
        for sentence in _sentences(message.text)
        if _TRIED.search(sentence)
    ]
    open_questions = [
        sentence
        for message in messages[-3:]
        for sentence in _sentences(message.text)
        if sentence.endswith("?")
    ]
    latest = messages[-1]
    lines = [f"Request: {_short(request)}"]
    if tried:
        lines.append(f"Tried: {_short(tried[-1])}")
    if open_questions:
        lines.append(f"Open: {_short(open_questions[-1])}")
    who = "desk" if latest.staff else "requester"
    first = (_sentences(latest.text) or [latest.text])[0]
    lines.append(f"Latest ({who}): {_short(first)}")
    lines.append(f"Mood: {_mood(messages)}")
    return "\n".join(lines)[:SUMMARY_MAX]
