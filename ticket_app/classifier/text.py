"""Clean ticket text once, so every model and the cache see the same input.

Lone surrogates (which cannot be encoded as UTF-8 for an HTTP request) become U+FFFD, control
characters other than line breaks and tabs are dropped, runs of spaces shrink, and the text is
capped in length: the model input costs time and money, and the first few thousand characters
carry the subject.
"""

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ANY_SPACE = re.compile(r"\s+")


def normalize(text: str, max_chars: int) -> str:
    """The cleaned, length-capped text that the models receive."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()
    return text[:max_chars].rstrip()


def cache_key(normalized: str) -> str:
    """Case and spacing do not change a suggestion, so they do not change the key either."""
    return _ANY_SPACE.sub(" ", normalized).casefold()
