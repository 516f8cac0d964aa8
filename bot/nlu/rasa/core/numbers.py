"""Number words in English, isiZulu and Sesotho, 1 to 9,999, as a small grammar over tokens.

Standard library only. Input is the normalised (case-folded) tokens of one message; output is
every number found, left to right, as (first token, end token, value).

Sources: English needs none. isiZulu and Sesotho forms come from the team's language notes
(LANGUAGE_NOTES.md beside the repository) and nlu_data/SOURCES.md, which says where each is
attested; forms marked there NV (not verified), 2H (second-hand) or derived are on its
"Needs a native speaker's check" list and are tagged `check` below. In sentences the numbers
agree with the noun (isiZulu `izinkwa ezimbili`, `amaqanda amathathu`; Sesotho `tse pedi`,
`a mararo`), so the tables list the agreement forms, and a Sesotho concord word before a
number (`tse`, `a`, `ba`, `e`, `o`) belongs to the number's span, as in the training data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

# (value, index after the last token) of a partial parse, or None.
_Span = tuple[int, int] | None
_Parser = Callable[[Sequence[str], int], _Span]


class Found(NamedTuple):
    first: int  # index of the first token
    end: int  # index after the last token
    value: int


# ------------------------------------------------------------------------------- English
_EN_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
}  # fmt: skip
_EN_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_ARTICLES = frozenset({"a", "an"})

# ------------------------------------------------------------------------------- isiZulu
# Units 1-9 in the agreement forms the sources show (adjective stems -nye/-dwa, -bili,
# -thathu, -ne, -hlanu; nouns isithupha ... isishiyagalolunye) and the counting forms ku-.
_ZU_UNITS = {
    "kunye": 1, "eyodwa": 1, "elilodwa": 1,
    "esisodwa": 1,  # check: derived (class 7)
    "kubili": 2, "ezimbili": 2, "amabili": 2, "ababili": 2, "emibili": 2,
    "kuthathu": 3, "amathathu": 3, "ezintathu": 3,
    "kune": 4, "amane": 4, "ezine": 4,
    "kuhlanu": 5, "amahlanu": 5,
    "isithupha": 6,
    "ayisithupha": 6,  # check: derived (pattern ayisishiyagalolunye)
    "isikhombisa": 7, "isishiyagalombili": 8,
    "isishiyagalolunye": 9, "ayisishiyagalolunye": 9,
}  # fmt: skip
_ZU_TEN = frozenset({"ishumi", "ayishumi", "eyishumi"})  # eyishumi: check, derived
# "ishumi nambili" = 12: na- + the unit, one word after a ten.
_ZU_PLUS = {
    "nanye": 1, "nambili": 2, "nantathu": 3, "nane": 4, "nanhlanu": 5, "nesithupha": 6,
    "nesikhombisa": 7, "nesishiyagalombili": 8, "nesishiyagalolunye": 9,
}  # fmt: skip
# Nouns that multiply the unit after them: amashumi amabili = 20 (anga-/ezinga-: "that are").
_ZU_TENS = frozenset({"amashumi", "angamashumi", "ezingamashumi"})  # ezingamashumi amane: check
_ZU_HUNDRED, _ZU_HUNDREDS = "ikhulu", "amakhulu"
_ZU_THOUSAND, _ZU_THOUSANDS = "inkulungwane", "izinkulungwane"

# ------------------------------------------------------------------------------- Sesotho
# South African spelling. Units with their class prefixes: bare (after tse), ma- (after a),
# me- (after e, in the teens). 6 and 7 are relative forms (ba tsheletseng).
_ST_UNITS = {
    "nngwe": 1,
    "pedi": 2, "mabedi": 2,
    "mmedi": 2,  # check: 2H
    "tharo": 3, "mararo": 3,
    "meraro": 3,  # check: 2H
    "nne": 4, "mane": 4,
    "mene": 4,  # check: 2H
    "hlano": 5,
    "mahlano": 5,  # check: derived
    "mehlano": 5,  # check: 2H
    "tshelela": 6, "tsheletseng": 6,
    "supa": 7,
    "supileng": 7,  # check: NV
    "robedi": 8, "robong": 9,
}  # fmt: skip
_ST_CONCORDS = frozenset({"tse", "a", "ba", "e", "o"})
# "e nngwe" / "tse nngwe" also mean "another" / "some": nngwe counts only without them.
_ST_NOT_BEFORE_ONE = frozenset({"e", "tse", "ba", "a", "o", "di", "se", "le", "ya", "la", "sa"})
_ST_TEN = "leshome"
_ST_TENS = "mashome"  # mashome a mabedi = 20 (2H)
_ST_HUNDRED, _ST_HUNDREDS = "lekgolo", "makgolo"  # 2H
_ST_THOUSAND, _ST_THOUSANDS = "sekete", "dikete"  # 2H; dikete tse hlano (INJ)
# 11 = leshome le motso o le mong, 12 = leshome le metso e mmedi (2H).
_ST_ROOTS = frozenset({"motso", "metso"})
_ST_ONE_IN_TEENS = "mong"


# Every word a number can start with; anything else is rejected with one set lookup.
STARTERS = frozenset(
    {*_EN_UNITS, *_EN_TEENS, *_EN_TENS, *_EN_ARTICLES, "half", "dozen"}
    | {*_ZU_UNITS, *_ZU_TEN, *_ZU_TENS, _ZU_HUNDRED, _ZU_HUNDREDS, _ZU_THOUSAND, _ZU_THOUSANDS}
    | {*_ST_UNITS, *_ST_CONCORDS, _ST_TEN, _ST_TENS, _ST_HUNDRED, _ST_HUNDREDS}
    | {_ST_THOUSAND, _ST_THOUSANDS}
)


def could_start(word: str) -> bool:
    return word in STARTERS or ("-" in word and word.partition("-")[0] in _EN_TENS)


def find_numbers(words: Sequence[str]) -> list[Found]:
    """Every number in `words` (normalised tokens), longest match first, left to right."""
    found: list[Found] = []
    i = 0
    while i < len(words):
        best = number_at(words, i)
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best.end
    return found


def number_at(words: Sequence[str], i: int) -> Found | None:
    """The longest number starting at token `i`, in any of the three languages."""
    if not could_start(_at(words, i)):
        return None
    candidates = [_english(words, i), _isizulu(words, i), _sesotho(words, i)]
    matches = [c for c in candidates if c is not None]
    return max(matches, key=lambda found: found.end) if matches else None


def _at(words: Sequence[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else ""


# ------------------------------------------------------------------------------- English
def _en_below_100(words: Sequence[str], i: int) -> _Span:
    word = _at(words, i)
    if word in _EN_UNITS:
        return _EN_UNITS[word], i + 1
    if word in _EN_TEENS:
        return _EN_TEENS[word], i + 1
    tens, _, unit = word.partition("-")  # twenty-five is one token
    if tens in _EN_TENS and unit in _EN_UNITS:
        return _EN_TENS[tens] + _EN_UNITS[unit], i + 1
    if word in _EN_TENS:
        following = _at(words, i + 1)
        if following in _EN_UNITS:
            return _EN_TENS[word] + _EN_UNITS[following], i + 2
        return _EN_TENS[word], i + 1
    return None


def _en_scaled(words: Sequence[str], i: int, scale: str, factor: int, below: _Parser) -> _Span:
    """`[lead] <scale> [and] [rest]`: lead is a number below the scale, or a/an."""
    lead = below(words, i)
    if lead is None and _at(words, i) in _EN_ARTICLES:
        lead = (1, i + 1)
    if lead is None or _at(words, lead[1]) != scale:
        return None
    value, j = lead[0] * factor, lead[1] + 1
    k = j + 1 if _at(words, j) == "and" else j
    rest = below(words, k)
    if rest is not None:
        return value + rest[0], rest[1]
    return value, j


def _en_below_1000(words: Sequence[str], i: int) -> _Span:
    return _en_scaled(words, i, "hundred", 100, _en_below_100) or _en_below_100(words, i)


def _english(words: Sequence[str], i: int) -> Found | None:
    number = _en_scaled(words, i, "thousand", 1000, _en_below_1000) or _en_below_1000(words, i)
    if number is None:
        return _en_dozen(words, i, None)
    return _en_dozen(words, i, number) or Found(i, number[1], number[0])


def _en_dozen(words: Sequence[str], i: int, number: _Span) -> Found | None:
    """a dozen = 12, two dozen = 24, half (a) dozen = 6."""
    if number is None:
        if _at(words, i) in _EN_ARTICLES:
            number = (1, i + 1)
        elif _at(words, i) == "half":
            j = i + 2 if _at(words, i + 1) in _EN_ARTICLES else i + 1
            return Found(i, j + 1, 6) if _at(words, j) == "dozen" else None
        elif _at(words, i) == "dozen":
            return Found(i, i + 1, 12)
        else:
            return None
    if _at(words, number[1]) == "dozen":
        return Found(i, number[1] + 1, number[0] * 12)
    return None


# ------------------------------------------------------------------------------- isiZulu
def _isizulu(words: Sequence[str], i: int) -> Found | None:
    word, following = _at(words, i), _at(words, i + 1)
    multiplier = _ZU_UNITS.get(following, 0)
    if word == _ZU_THOUSAND:
        value, j = 1000, i + 1
    elif word == _ZU_THOUSANDS and multiplier > 1:
        value, j = 1000 * multiplier, i + 2
    elif word == _ZU_HUNDRED:
        value, j = 100, i + 1
    elif word == _ZU_HUNDREDS and multiplier > 1:
        value, j = 100 * multiplier, i + 2
    elif word in _ZU_TENS and multiplier > 1:
        value, j = 10 * multiplier, i + 2
    elif word in _ZU_TEN:
        value, j = 10, i + 1
    elif word in _ZU_UNITS:
        return Found(i, i + 1, _ZU_UNITS[word])
    else:
        return None
    plus = _ZU_PLUS.get(_at(words, j))
    if plus is not None:
        return Found(i, j + 1, value + plus)
    return Found(i, j, value)


# ------------------------------------------------------------------------------- Sesotho
def _st_unit(words: Sequence[str], i: int) -> int | None:
    word = _at(words, i)
    if word == "nngwe" and _at(words, i - 1) in _ST_NOT_BEFORE_ONE:
        return None
    return _ST_UNITS.get(word)


def _sesotho(words: Sequence[str], i: int) -> Found | None:
    k = i + 1 if _at(words, i) in _ST_CONCORDS else i
    word = _at(words, k)
    multiplier = _ST_UNITS.get(_at(words, k + 2), 0)
    if word == _ST_TEN:
        value, j = 10, k + 1
    elif word == _ST_TENS and _at(words, k + 1) == "a" and multiplier > 1:
        value, j = 10 * multiplier, k + 3
    elif word in (_ST_HUNDRED, _ST_THOUSAND):
        return Found(i, k + 1, 100 if word == _ST_HUNDRED else 1000)
    elif word == _ST_HUNDREDS and _at(words, k + 1) == "a" and multiplier > 1:
        return Found(i, k + 3, 100 * multiplier)
    elif word == _ST_THOUSANDS and _at(words, k + 1) == "tse":
        thousands = multiplier if multiplier > 1 else 10 * (_at(words, k + 2) == _ST_TEN)
        return Found(i, k + 3, 1000 * thousands) if thousands else None
    else:
        unit = _st_unit(words, k) if k > i else _st_unit(words, i)
        return Found(i, k + 1, unit) if unit is not None else None
    return _st_teens(words, i, j, value)


def _st_teens(words: Sequence[str], i: int, j: int, value: int) -> Found:
    """`<tens> le motso o le mong` (+1) / `<tens> le metso e <unit>` (+2..9)."""
    if _at(words, j) != "le" or _at(words, j + 1) not in _ST_ROOTS:
        return Found(i, j, value)
    k = j + 3 if _at(words, j + 2) in ("o", "e") else j + 2
    if _at(words, k) == "le":
        k += 1
    if _at(words, k) == _ST_ONE_IN_TEENS:
        return Found(i, k + 1, value + 1)
    unit = _ST_UNITS.get(_at(words, k))
    return Found(i, k + 1, value + unit) if unit is not None else Found(i, j, value)
