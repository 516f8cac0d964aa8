"""Meta's limits for what we send (FACTS.md §4), and the text tools that keep content within them.

Lengths are measured in UTF-16 code units (`size`), not code points: Meta does not say how it
counts, and UTF-16 is never shorter, so an emoji-heavy text fits under either reading.
Cuts never fall inside a grapheme (an emoji sequence, a letter with its combining marks).
"""

from __future__ import annotations

import re
import unicodedata

TEXT_BODY = 4096
INTERACTIVE_BODY = 1024
CAPTION = 1024
HEADER_TEXT = 60
FOOTER_TEXT = 60
BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256
LIST_BUTTON = 20
LIST_ROWS = 10
LIST_SECTIONS = 10
SECTION_TITLE = 24
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ROW_ID = 200
PRODUCTS = 30  # multi-product: across all sections
PRODUCT_SECTIONS = 10

ELLIPSIS = "…"

# A sentence ends at a terminator (and any closing quotes or brackets) before whitespace, at a
# full-width terminator (no space follows in CJK), or at a line break.
_TERMINATORS = ".!?\u2026\u061f\u06d4\u0964"  # also ellipsis, Arabic ?, Urdu and Devanagari stops
_CLOSERS = ")\\]\"'\u00bb\u201d\u2019"  # brackets, quotes, guillemets
_FULL_WIDTH = "\u3002\uff01\uff1f"  # CJK full stop, exclamation and question marks
_SENTENCE_END = re.compile(f"[{_TERMINATORS}][{_CLOSERS}]*(?=\\s)|[{_FULL_WIDTH}]|(?=\n)")
_ZWJ = "\u200d"


def size(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def is_blank(text: str) -> bool:
    """True when nothing visible remains: only whitespace and format/control characters."""
    return all(char.isspace() or unicodedata.category(char) in ("Cf", "Cc") for char in text)


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit`: whitespace collapsed, cut on a word boundary, marked "…"."""
    text = " ".join(text.split())
    if size(text) <= limit:
        return text
    end = _fit(text, 0, limit - size(ELLIPSIS))
    space = text.rfind(" ", 0, end + 1)
    cut = space if space >= end // 2 else _grapheme_start(text, end)
    return text[:cut].rstrip(" ,.;:-") + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """The longest start of `text` that fits `limit`, ending on a grapheme boundary (for ids)."""
    end = _fit(text, 0, limit)
    return text if end == len(text) else text[: _grapheme_start(text, end)]


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit`, at sentence ends, else between words.

    Only whitespace at a cut (and around the whole text) is dropped; every other character is
    kept, in order. Line breaks inside a piece survive. Blank text gives no pieces.
    """
    pieces: list[str] = []
    text = text.strip()
    start = 0
    while start < len(text):
        end = _fit(text, start, limit)
        if end == len(text):
            pieces.append(text[start:])
            break
        cut = (
            _last_sentence_end(text, start, end)
            or _last_space(text, start, end)
            or _grapheme_start(text, end, floor=start)
        )
        pieces.append(text[start:cut].rstrip())
        start = cut
        while text[start].isspace():  # the text is stripped: a non-space follows
            start += 1
    return pieces


def split_tail(text: str, limit: int) -> tuple[str, str]:
    """Split `text` into (head, tail) where the tail fits `limit` and starts a sentence.

    The tail holds as many whole sentences as fit (else words, else graphemes); the head is
    what goes before it (possibly longer than `limit`, or empty when everything fits).
    """
    text = text.strip()
    if size(text) <= limit:
        return "", text
    start = _fit_back(text, limit)
    cut = (
        _first_sentence_end(text, start)
        or _first_space(text, start)
        or _grapheme_start(text, start, forward=True)
    )
    return text[:cut].rstrip(), text[cut:].lstrip()


def _fit(text: str, start: int, limit: int) -> int:
    """The largest end such that text[start:end] fits `limit` (at least one character)."""
    units = 0
    for index in range(start, len(text)):
        units += 2 if ord(text[index]) > 0xFFFF else 1
        if units > limit:
            return max(index, start + 1)
    return len(text)


def _fit_back(text: str, limit: int) -> int:
    """The smallest start such that text[start:] fits `limit`."""
    units = 0
    for index in range(len(text) - 1, -1, -1):
        units += 2 if ord(text[index]) > 0xFFFF else 1
        if units > limit:
            return index + 1
    return 0


def _last_sentence_end(text: str, start: int, end: int) -> int:
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end + 1) if start < m.end() <= end]
    return cuts[-1] if cuts else 0


def _first_sentence_end(text: str, start: int) -> int:
    for match in _SENTENCE_END.finditer(text, max(start - 2, 0)):
        if start <= match.end() < len(text) and not is_blank(text[match.end() :]):
            return match.end()
    return 0


def _last_space(text: str, start: int, end: int) -> int:
    for index in range(min(end, len(text) - 1), start, -1):
        if text[index].isspace():
            return index
    return 0


def _first_space(text: str, start: int) -> int:
    for index in range(start, len(text)):
        if text[index].isspace() and not is_blank(text[index:]):
            return index
    return 0


def _extends(text: str, index: int) -> bool:
    """Whether text[index] belongs to the grapheme before it (so no cut may fall before it)."""
    char, before = text[index], text[index - 1]
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or _ZWJ in (char, before)
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
        or (_regional(char) and _regional_run(text, index) % 2 == 1)  # second half of a flag
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _regional_run(text: str, index: int) -> int:
    count = 0
    while index - count - 1 >= 0 and _regional(text[index - count - 1]):
        count += 1
    return count


def _grapheme_start(text: str, index: int, *, floor: int = 0, forward: bool = False) -> int:
    """`index`, moved to the nearest grapheme boundary (back to `floor`, or forward)."""
    step = 1 if forward else -1
    moved = index
    while floor < moved < len(text) and _extends(text, moved):
        moved += step
    # One grapheme longer than the limit (hundreds of combining marks) has no boundary: cut it.
    return moved if floor < moved < len(text) else index
