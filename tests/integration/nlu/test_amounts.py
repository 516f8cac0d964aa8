"""Quantities, money and units, and the number words behind them, in English, isiZulu and
Sesotho. The rules are standard-library code shared by the Rasa component and the fast engine
(bot/nlu/rasa/core), so they are tested here directly; test_nlu_service.py checks that the
served model reports them. isiZulu and Sesotho forms are those of nlu_data/SOURCES.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlu.rasa.core.amounts import UnitLexicon, cents, extract_amounts
from bot.nlu.rasa.core.numbers import find_numbers
from bot.nlu.rasa.core.text import tokenize

ROOT = Path(__file__).resolve().parents[3]
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english(n: int, *, hyphen: bool = True, conjunction: bool = True) -> str:
    """An independent spelling of 1..1000 to check the grammar against."""
    if n == 1000:
        return "one thousand"
    hundreds, rest = divmod(n, 100)
    parts = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest:
        if hundreds and conjunction:
            parts.append("and")
        tens, ones = divmod(rest, 10)
        if rest < 20:
            parts.append(_ONES[rest])
        elif ones:
            parts.append(
                f"{_TENS[tens]}-{_ONES[ones]}" if hyphen else f"{_TENS[tens]} {_ONES[ones]}"
            )
        else:
            parts.append(_TENS[tens])
    return " ".join(parts)


@pytest.fixture(scope="module")
def units() -> UnitLexicon:
    """The unit lexicon of the shipped data (nlu_data/train/lookups.yml)."""
    blocks = yaml.safe_load((ROOT / "nlu_data/train/lookups.yml").read_text())["nlu"]

    def items(block: dict[str, Any]) -> list[str]:
        return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]

    words = [w for b in blocks if b.get("lookup") == "unit" for w in items(b)]
    synonyms = {w: b["synonym"] for b in blocks if "synonym" in b for w in items(b)}
    return UnitLexicon.build(words, synonyms)


def numbers(text: str) -> list[int]:
    return [found.value for found in find_numbers([t.norm for t in tokenize(text)])]


def amounts(text: str, units: UnitLexicon) -> list[tuple[str, str, Any]]:
    return [
        (e["entity"], text[e["start"] : e["end"]], e["value"])
        for e in extract_amounts(text, tokenize(text), units)
    ]


def test_every_english_number_from_1_to_1000() -> None:
    wrong = {
        n: numbers(text)
        for n in range(1, 1001)
        for text in {english(n), english(n, hyphen=False, conjunction=False)}
        if numbers(text) != [n]
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a hundred", 100), ("a thousand", 1000), ("two thousand five hundred", 2500),
        ("a dozen", 12), ("two dozen", 24), ("half a dozen", 6), ("half dozen", 6),
    ],
)  # fmt: skip
def test_english_scales_and_dozens(text: str, value: int) -> None:
    assert numbers(text) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # counting forms and agreement forms (LANGUAGE_NOTES.md, nlu_data/SOURCES.md)
        ("kunye", 1), ("eyodwa", 1), ("elilodwa", 1), ("esisodwa", 1),
        ("kubili", 2), ("ezimbili", 2), ("amabili", 2), ("ababili", 2), ("emibili", 2),
        ("kuthathu", 3), ("amathathu", 3), ("ezintathu", 3),
        ("kune", 4), ("amane", 4), ("ezine", 4),
        ("kuhlanu", 5), ("amahlanu", 5),
        ("isithupha", 6), ("ayisithupha", 6), ("isikhombisa", 7), ("isishiyagalombili", 8),
        ("isishiyagalolunye", 9), ("ayisishiyagalolunye", 9),
        ("ishumi", 10), ("ayishumi", 10), ("eyishumi", 10),
        ("ishumi nanye", 11), ("ishumi nambili", 12), ("eyishumi nambili", 12),
        ("ishumi nantathu", 13), ("ishumi nane", 14), ("ishumi nanhlanu", 15),
        ("ishumi nesithupha", 16), ("ishumi nesikhombisa", 17),
        ("ishumi nesishiyagalombili", 18), ("ishumi nesishiyagalolunye", 19),
        ("amashumi amabili", 20), ("amashumi amabili nanye", 21),
        ("amashumi amathathu", 30), ("angamashumi amathathu", 30),
        ("ezingamashumi amabili", 20), ("ezingamashumi amane", 40),
        ("ikhulu", 100), ("amakhulu amane", 400), ("amakhulu amahlanu", 500),
        ("inkulungwane", 1000), ("izinkulungwane ezimbili", 2000),
    ],
)  # fmt: skip
def test_isizulu_numbers(text: str, value: int) -> None:
    assert numbers(text) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("nngwe", 1), ("pedi", 2), ("tse pedi", 2), ("a mabedi", 2), ("tharo", 3),
        ("tse tharo", 3), ("a mararo", 3), ("nne", 4), ("a mane", 4), ("hlano", 5),
        ("tse hlano", 5), ("a mahlano", 5), ("tshelela", 6), ("ba tsheletseng", 6),
        ("supa", 7), ("robedi", 8), ("robong", 9), ("leshome", 10), ("tse leshome", 10),
        ("a leshome", 10),
        ("leshome le motso o le mong", 11), ("leshome le metso e mmedi", 12),
        ("leshome le metso e meraro", 13), ("leshome le metso e mene", 14),
        ("leshome le metso e mehlano", 15), ("leshome le metso e tsheletseng", 16),
        ("leshome le metso e supileng", 17), ("leshome le metso e robedi", 18),
        ("leshome le metso e robong", 19),
        ("mashome a mabedi", 20), ("mashome a mabedi le motso o le mong", 21),
        ("mashome a mararo", 30), ("lekgolo", 100), ("makgolo a mane", 400),
        ("makgolo a mahlano", 500), ("sekete", 1000), ("dikete tse pedi", 2000),
        ("dikete tse hlano", 5000), ("dikete tse leshome", 10000),
    ],
)  # fmt: skip
def test_sesotho_numbers(text: str, value: int) -> None:
    assert numbers(text) == [value]


def test_sesotho_another_is_not_one() -> None:
    assert numbers("fetola puo e nngwe") == []  # "e nngwe": another (language)
    assert numbers("ke batla tse nngwe") == []  # "tse nngwe": some others


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngicela izinkwa ezimbili", [("quantity", "ezimbili", 2)]),
        ("amaqanda amathathu yimalini?", [("quantity", "amathathu", 3)]),
        ("ngicela amaqanda angu-6", [("quantity", "angu-6", 6)]),
        ("ke kopa disepa tse pedi", [("quantity", "tse pedi", 2)]),
        ("ke batla mahe a mararo", [("quantity", "a mararo", 3)]),
        ("ke batla disepa tse tharo", [("quantity", "tse tharo", 3)]),
        ("two loaves please", [("quantity", "two", 2), ("unit", "loaves", "loaf")]),
        ("2x bread, 1 milk", [("quantity", "2x", 2), ("quantity", "1", 1)]),
        ("eggs x2", [("quantity", "x2", 2)]),
        ("a dozen eggs", [("quantity", "a dozen", 12)]),
        ("I'll take a loaf", [("quantity", "a", 1), ("unit", "loaf", "loaf")]),
        ("2kg sugar", [("quantity", "2", 2), ("unit", "kg", "kg")]),
        ("5 kilos of rice", [("quantity", "5", 5), ("unit", "kilos", "kg")]),
        ("ubisi amalitha amabili", [("unit", "amalitha", "l"), ("quantity", "amabili", 2)]),
        ("2 cans of beans", [("quantity", "2", 2), ("unit", "cans", "can")]),
        ("stock eggs 10 trays", [("quantity", "10", 10), ("unit", "trays", "tray")]),
    ],
)
def test_quantities_and_units(
    units: UnitLexicon, text: str, expected: list[tuple[str, str, Any]]
) -> None:
    assert amounts(text, units) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is bread still R15?", [("money", "R15", 1500)]),
        ("R15.50", [("money", "R15.50", 1550)]),
        ("R15,50", [("money", "R15,50", 1550)]),
        ("R 15", [("money", "R 15", 1500)]),
        ("15 rand", [("money", "15 rand", 1500)]),
        ("fifteen rand", [("money", "fifteen rand", 1500)]),
        ("R1,000", [("money", "R1,000", 100000)]),
        ("ibe uR17", [("money", "uR17", 1700)]),
        ("ngu-R22", [("money", "ngu-R22", 2200)]),
        ("amarandi ayishumi", [("money", "amarandi ayishumi", 1000)]),
        ("50c", [("money", "50c", 50)]),
        ("fifty cents", [("money", "fifty cents", 50)]),
    ],
)
def test_money_is_in_cents(units: UnitLexicon, text: str, expected: list[Any]) -> None:
    assert amounts(text, units) == expected
    assert all(isinstance(value, int) for *_, value in expected)


@pytest.mark.parametrize(
    "text",
    [
        "are you open at 7:30?", "open till 8 pm", "call me on 0821234567", "12 Main Road",
        "order 1234", "nivala ngo-6 ntambama", "can I get bread", "do you sell bags?",
        "plastic bags", "50% off", "see you 12 March",
    ],
)  # fmt: skip
def test_what_is_not_an_amount(units: UnitLexicon, text: str) -> None:
    assert [kind for kind, *_ in amounts(text, units) if kind != "unit"] == []
    assert ("unit", "bags", "bag") not in amounts(text, units)
    assert ("unit", "can", "can") not in amounts(text, units)


def test_cents() -> None:
    assert [cents(s) for s in ("15", "15.5", "15.50", "15,50", "1,000", "0.99")] == [
        1500, 1550, 1550, 1550, 100000, 99,
    ]  # fmt: skip


def test_tokens_keep_amounts_and_prefixed_forms_whole() -> None:
    text = "Ngicela i-oda R15.50, 1,000 bread,milk 👍 ngu-R22!"
    assert [t.text for t in tokenize(text)] == [
        "Ngicela", "i-oda", "R15.50", "1,000", "bread", "milk", "ngu-R22",
    ]  # fmt: skip
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
