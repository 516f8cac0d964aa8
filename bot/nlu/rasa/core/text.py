"""Tokens of chat text, with character offsets: the one tokenizer every Wakala component uses.

Standard library only, so the Rasa component (`components/tokenizer.py`), the fast serving
pipeline and the app-side tests share it byte for byte.

A token is a run of letters and digits. Inside it, hyphens and apostrophes join parts
(`i-oda`, `ngu-R22`, `don't`) and a dot or comma joins digits (`R15.50`, `1,000`), so amounts
and isiZulu prefixed forms stay whole; everything else (spaces, punctuation, emoji) separates.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_TOKEN_RE = re.compile(r"[^\W_]+(?:(?:[-'\u2019]|(?<=\d)[.,](?=\d))[^\W_]+)*")
_DIGIT_RE = re.compile(r"\d")


class Token(NamedTuple):
    text: str  # as written
    start: int  # character offsets into the message text
    end: int
    norm: str  # NFKC, case-folded: what features and lexicons compare


def normalise(text: str) -> str:
    if text.isascii():  # the common case; NFKC changes nothing there, casefold = lower
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def tokenize(text: str) -> list[Token]:
    if text.isascii():  # normalise the whole text once; offsets stay valid
        lowered = text.lower()
        return [
            Token(text[start:end], start, end, lowered[start:end])
            for start, end in (match.span() for match in _TOKEN_RE.finditer(text))
        ]
    return [
        Token(match.group(), match.start(), match.end(), normalise(match.group()))
        for match in _TOKEN_RE.finditer(text)
    ]


def shape(norm: str) -> str:
    """The token with every digit as 0, so `R15` and `R20` share their features."""
    return _DIGIT_RE.sub("0", norm)
