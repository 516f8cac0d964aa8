"""Quantities, money and units in chat messages, with normalised values.

Standard library only. Works on the tokens of `text.tokenize` and returns Rasa-style entity
dicts (`entity`, `start`, `end`, `value`) in text order:

- `quantity`: an int, from digits (`2`, `2x`, `x2`, `angu-6`) or number words in English,
  isiZulu or Sesotho (`two`, `a dozen`, `ezimbili`, `tse pedi`; see `numbers`). `a`/`an`
  counts as 1 only right before a unit (`a loaf`).
- `money`: an int in cents, from `R15`, `R15.50`, `uR17`, `ngu-R22`, `R 15`, `15 rand`,
  `fifteen rand`, `amarandi ayishumi`, `50c`.
- `unit`: the unit's normalised name from a lexicon built from the training data's `unit`
  lookup table and synonyms (`2 kilos` -> "kg"), also when glued to digits (`2kg`).
  Short or everyday words (`can`, `bag`, `g`) count as units only after a number or `a`.

Digits that are clearly not amounts are skipped: times (`7:30`, `8 pm`), phone and order
numbers, street numbers, percentages and dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.nlu.rasa.core.numbers import could_start, number_at
from bot.nlu.rasa.core.text import Token

QUANTITY, MONEY, UNIT = "quantity", "money", "unit"

_ANY_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d{1,2})?")
_NUMBER_TOKEN = re.compile(rf"(?:[a-z]*ngu-)?({_DIGITS.pattern})")  # angu-6, ezingu-20
_MONEY_TOKEN = re.compile(rf"(?:[a-z]{{1,3}}-|u)?r({_DIGITS.pattern})")  # R15, uR17, ngu-R22
_CENTS_TOKEN = re.compile(r"(\d{1,2})c")
_TIMES_TOKEN = re.compile(r"(\d{1,4})x|x(\d{1,4})")
_GLUED_UNIT = re.compile(rf"({_DIGITS.pattern})([a-z]+)")

CURRENCY_WORDS = frozenset({"rand", "rands", "irandi", "amarandi", "ranta", "bucks"})
_CENTS_WORDS = frozenset({"c", "cent", "cents"})
# Everyday words and single letters: units only right after a number or a/an.
AMBIGUOUS_UNITS = frozenset({
    "can", "cans", "tin", "tins", "bar", "bars", "box", "boxes", "bag", "bags", "roll", "rolls",
    "pack", "packs", "g", "l",
})  # fmt: skip
_ARTICLES = frozenset({"a", "an"})
_TIME_WORDS = frozenset({"am", "pm", "h", "hrs", "oclock", "o'clock"})
# Words before a number that make it a name, not an amount: "order 64", "i-order 64",
# "ne-oda 5" (any word ending in order/oda/odara), "ntlo 501" (Sesotho "house"; check: see
# nlu_data/SOURCES.md).
_ID_WORDS = frozenset({
    "no", "nr", "number", "ref", "reference", "nomoro", "inombolo", "stand", "house", "flat",
    "erf", "unit", "phone", "cell", "tel", "ntlo",
})  # fmt: skip
_ORDER_ENDINGS = ("order", "orders", "oda", "odara")
# Sesotho possessive concords: "dintho tsa 64" (the things of order 64), "alamo ya 7". With a
# unit after the number it is a size: "raese ya 2 kg".
_POSSESSIVES = frozenset({"ya", "tsa", "la", "sa"})
_STREET_WORDS = frozenset({
    "street", "st", "road", "rd", "avenue", "ave", "drive", "dr", "lane", "ln", "crescent",
    "cres", "close", "way", "section", "ext", "extension", "zone", "block",
})  # fmt: skip
_MONTHS = frozenset({
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
    "november", "dec", "december",
})  # fmt: skip
MAX_QUANTITY = 100_000
UNITS_FILE = "units.json"


class UnitLexicon:
    """Unit words (normalised) and the value each one stands for."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)
        self.key = tuple(sorted(self.values.items()))  # equal lexicons, equal analyses

    @classmethod
    def build(cls, words: Iterable[str], synonyms: Mapping[str, str]) -> UnitLexicon:
        """`words` from the `unit` lookup table; `synonyms` maps any spelling to its value."""
        folded = {key.casefold(): value for key, value in synonyms.items()}
        values = {}
        for word in words:
            key = word.strip().casefold()
            if key:
                values[key] = folded.get(key, key)
        return cls(values)

    def get(self, word: str, *, after_number: bool) -> str | None:
        if not after_number and word in AMBIGUOUS_UNITS:
            return None
        return self.values.get(word)

    def save(self, directory: Path) -> None:
        text = json.dumps({"units": self.values}, ensure_ascii=False, sort_keys=True)
        (directory / UNITS_FILE).write_text(text, "utf-8")

    @classmethod
    def load(cls, directory: Path) -> UnitLexicon:
        return cls(json.loads((directory / UNITS_FILE).read_text("utf-8"))["units"])


def cents(digits: str) -> int:
    """`15` -> 1500, `15.50` / `15,50` -> 1550, `1,000` -> 100000."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
        return int(digits.replace(",", "")) * 100
    whole, _, fraction = digits.replace(",", ".").partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2] or 0)


def _number(digits: str) -> int | float:
    plain = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) else digits
    value = float(plain.replace(",", "."))
    return int(value) if value.is_integer() else value


def _entity(kind: str, first: Token, last: Token, value: Any) -> dict[str, Any]:
    return {"entity": kind, "start": first.start, "end": last.end, "value": value}


class _Scan:
    """One left-to-right pass over a message's tokens."""

    def __init__(self, text: str, tokens: Sequence[Token], units: UnitLexicon) -> None:
        self.text, self.tokens, self.units = text, tokens, units
        self.words = [token.norm for token in tokens]
        self.found: list[dict[str, Any]] = []

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def run(self) -> list[dict[str, Any]]:
        i = 0
        while i < len(self.tokens):
            i = self.step(i)
        return self.found

    def step(self, i: int) -> int:
        word, token = self.word(i), self.tokens[i]
        if not _ANY_DIGIT.search(word) and not self.may_matter(word):
            return i + 1  # most words: one regex and a few set lookups
        if match := _MONEY_TOKEN.fullmatch(word):
            self.found.append(_entity(MONEY, token, token, cents(match.group(1))))
            return i + 1
        if word == "r" and _DIGITS.fullmatch(self.word(i + 1)):
            self.found.append(_entity(MONEY, token, self.tokens[i + 1], cents(self.word(i + 1))))
            return i + 2
        if match := _CENTS_TOKEN.fullmatch(word):
            self.found.append(_entity(MONEY, token, token, int(match.group(1))))
            return i + 1
        if word in CURRENCY_WORDS and (spoken := number_at(self.words, i + 1)):
            last = self.tokens[spoken.end - 1]
            self.found.append(_entity(MONEY, token, last, spoken.value * 100))
            return spoken.end
        if match := _TIMES_TOKEN.fullmatch(word):
            value = int(match.group(1) or match.group(2))
            if 0 < value <= MAX_QUANTITY:
                self.found.append(_entity(QUANTITY, token, token, value))
            return i + 1
        if match := _GLUED_UNIT.fullmatch(word):
            return self.glued(i, match)
        return self.number_or_unit(i)

    def may_matter(self, word: str) -> bool:
        return (
            could_start(word) or word in CURRENCY_WORDS or word in self.units.values or word == "r"
        )

    def glued(self, i: int, match: re.Match[str]) -> int:
        """`2kg`, `500g`, `2l`: a quantity and a unit in one token."""
        token, unit = self.tokens[i], self.units.get(match.group(2), after_number=True)
        if unit is None or match.group(2) in _TIME_WORDS:
            return i + 1
        split = token.start + len(match.group(1))
        self.found.append(
            {"entity": QUANTITY, "start": token.start, "end": split,
             "value": _number(match.group(1))}
        )  # fmt: skip
        self.found.append({"entity": UNIT, "start": split, "end": token.end, "value": unit})
        return i + 1

    def number_or_unit(self, i: int) -> int:
        word, token = self.word(i), self.tokens[i]
        digits = _NUMBER_TOKEN.fullmatch(word)
        if digits:
            value: int | float | None = _number(digits.group(1))
            end = i + 1
            if not self.plausible_quantity(i, digits.group(1)):
                value = None
        elif spoken := number_at(self.words, i):
            value, end = spoken.value, spoken.end
        elif word in _ARTICLES and self.units.get(self.word(i + 1), after_number=True):
            value, end = 1, i + 1
        else:
            unit = self.units.get(word, after_number=False)
            if unit is not None:
                self.found.append(_entity(UNIT, token, token, unit))
            return i + 1
        if value is None:
            return end
        last = self.tokens[end - 1]
        following = self.word(end)
        if following in CURRENCY_WORDS:
            money = cents(digits.group(1)) if digits else int(value * 100)
            self.found.append(_entity(MONEY, token, self.tokens[end], money))
            return end + 1
        cents_word = following in _CENTS_WORDS and (digits is not None or following != "c")
        if cents_word and isinstance(value, int) and value < 100:
            self.found.append(_entity(MONEY, token, self.tokens[end], value))
            return end + 1
        if following == "x":  # "2 x bread"
            end, last = end + 1, self.tokens[end]
        if value <= 0 or value > MAX_QUANTITY:
            return end
        self.found.append(_entity(QUANTITY, token, last, value))
        unit = self.units.get(self.word(end), after_number=True)
        if unit is not None:
            self.found.append(_entity(UNIT, self.tokens[end], self.tokens[end], unit))
            return end + 1
        return end

    def plausible_quantity(self, i: int, digits: str) -> bool:
        """False for digits that name a time, a phone or order number, an address or a date."""
        token = self.tokens[i]
        before = self.text[token.start - 1 : token.start] if token.start else ""
        after = self.text[token.end : token.end + 2]
        plain = digits.replace(",", "")
        if (plain.startswith("0") and len(plain) > 1) or len(plain) >= 6:
            return False
        if before in {":", "#", "+"} or after[:1] in {":", "%", "/"} or after.startswith("h0"):
            return False
        before_word, after_word = self.word(i - 1), self.word(i + 1)
        if after_word in _TIME_WORDS or after_word in _MONTHS or before_word in _ID_WORDS:
            return False
        if before_word.endswith(_ORDER_ENDINGS):
            return False
        if before_word in _POSSESSIVES and not self.units.get(after_word, after_number=True):
            return False
        return not any(self.word(i + k) in _STREET_WORDS for k in (1, 2, 3))


def extract_amounts(text: str, tokens: Sequence[Token], units: UnitLexicon) -> list[dict[str, Any]]:
    """Quantity, money and unit entities of one message, in text order."""
    return _Scan(text, tokens, units).run()
