"""Hypothesis strategies for hostile input: free text shoppers and merchants really type (and
what attackers type), and JSON-ish mutations of real webhook bodies.

Text pieces are chosen to hit the places text handling breaks: emoji that are several code
points (ZWJ families, flags, skin tones, keycaps, tag sequences), right-to-left scripts and
bidi overrides, zero-width and other invisible characters, control characters, combining
marks, SQL and HTML. `long_text` goes past WhatsApp's 4,096-character text limit.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "whatsapp"

EMOJI = (
    "😀",
    "👍🏽",  # thumbs up, medium skin tone
    "🧑🏿‍🍳",  # cook: person, dark skin tone, ZWJ, cooking
    "👩‍👩‍👧‍👦",  # family: four people joined by ZWJ
    "🏳️‍🌈",  # rainbow flag: flag, variation selector, ZWJ, rainbow
    "🇿🇦",  # South Africa: two regional indicators
    "🇱🇸🇿🇦🇧🇼",  # three flags in a row: cutting between indicators breaks all of them
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # Scotland: black flag and tag characters
    "❤️",  # heart and variation selector 16
    "1️⃣",  # keycap: digit, VS16, combining enclosing keycap
    "🫶🏾",
)
RIGHT_TO_LEFT = (
    "مرحبا، أريد رغيفين من الخبز",  # Arabic
    "كم سعر الحليب؟",  # Arabic question mark
    "שלום, כמה עולה לחם?",  # Hebrew
    "سلام ۱۲۳",  # Persian with Extended Arabic-Indic digits
    "\u202eevil\u202c",  # right-to-left override ... pop directional formatting
    "abc \u2067\u05e9\u05dc\u05d5\u05dd\u2069 def",  # Hebrew in an isolate
    "ﷺ",  # one code point, a long ligature
)
INVISIBLE = (
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner, alone
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark / zero width no-break space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
)
CONTROL = (
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\x7f",
    "\x85",  # next line (C1)
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\x0b\x0c",
)
COMBINING = (
    "e\u0301",  # e + combining acute
    "Z\u0324\u0354\u0367\u0311\u0313a\u0356\u032d\u0308\u0307l\u0356\u034eg\u031e\u0325\u0348o",
    "ñ",
    "\u01c3X\u00f3\u00f5",  # click letter of Khoekhoe/isiXhosa orthographies
)
SQL = (
    "'; DROP TABLE products; --",
    "Robert'); DROP TABLE students;--",
    "1 OR 1=1",
    "' OR ''='",
    "%' AND 1=1 --",
    "\\'; SELECT pg_sleep(10); --",
    "$$; DELETE FROM orders; $$",
    "E'\\x00'",
)
HTML = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;",
    "</textarea><b>",
    "{{7*7}} ${7*7} {name}",  # template syntaxes, ours included
    "*bold* _italic_ ~strike~ ```mono```",  # WhatsApp's own formatting
    "[link](javascript:alert(1)) https://example.com/?q=<x>",
)
WORDS = (
    "Sawubona",
    "ngicela isinkwa ezimbili",
    "Dumela, ke kopa bohobe",
    "2 x milk 1L",
    "R12,99",
    "STOP",
    "hi",
    "menu",
    " ",
    ".",
    "?!",
    "\n\n",
)
PIECES: tuple[str, ...] = (
    EMOJI + RIGHT_TO_LEFT + INVISIBLE + CONTROL + COMBINING + SQL + HTML + WORDS
)
# Pieces that each begin a grapheme, so repeating one cannot make a single grapheme longer
# than a message (the renderer documents that such a grapheme is cut; nothing else is).
BASED = tuple(p for p in EMOJI + RIGHT_TO_LEFT + COMBINING + SQL + HTML + WORDS if p.strip())
SEPARATORS = ("", " ", "\n", ". ", "! ", "? ", "؟ ", "\u200b", "\u3002")


def hostile_text(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Free text made of hostile pieces and arbitrary Unicode (no lone surrogates: those are
    not text, and JSON bodies carrying them are tested on their own)."""
    piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=8))
    return st.lists(piece, min_size=min_size, max_size=max_size).map("".join)


@st.composite
def long_text(draw: st.DrawFn, min_length: int = 4_097, max_length: int = 9_000) -> str:
    """Text past WhatsApp's 4,096 limit: one based piece repeated, with separators (or none,
    to force cuts between words or graphemes), between hostile text at both ends."""
    piece = draw(st.sampled_from(BASED))
    separator = draw(st.sampled_from(SEPARATORS))
    target = draw(st.integers(min_length, max_length))
    unit = piece + separator
    body = unit * (target // len(unit) + 1)
    return draw(hostile_text(max_size=3)) + body + draw(hostile_text(max_size=3))


def any_text(min_size: int = 0) -> st.SearchStrategy[str]:
    return st.one_of(hostile_text(min_size=min_size), long_text())


# --- JSON ------------------------------------------------------------------------------------

Json = Any
SCALARS: st.SearchStrategy[Json] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text(max_size=4),
    st.sampled_from(["", "0", "1700000000", "text", "messages", "wamid.X", "27821234567"]),
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Json]:
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(hostile_text(max_size=2), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def fixture_names() -> list[str]:
    return sorted(path.name for path in FIXTURES.glob("*.json"))


def load_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


FIXTURE_BODIES: dict[str, dict[str, Any]] = {name: load_fixture(name) for name in fixture_names()}


def paths(tree: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON tree (the root is ())."""
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += paths(value, (*prefix, index))
    return found


def _parent(tree: Json, path: tuple[Any, ...]) -> Json:
    node = tree
    for step in path[:-1]:
        node = node[step]
    return node


@st.composite
def mutation(draw: st.DrawFn, tree: Json) -> Json:
    """`tree` with one node replaced, deleted, duplicated or given a new sibling key."""
    tree = copy.deepcopy(tree)
    path = draw(st.sampled_from(paths(tree)))
    if not path:
        return draw(json_values())
    parent = _parent(tree, path)
    key = path[-1]
    action = draw(st.sampled_from(["replace", "delete", "duplicate", "add", "retype"]))
    if action == "replace":
        parent[key] = draw(json_values())
    elif action == "delete":
        del parent[key]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    elif action == "add" and isinstance(parent, dict):
        parent[draw(hostile_text(max_size=2))] = draw(json_values())
    else:  # retype: the same content in another JSON type
        value = parent[key]
        parent[key] = draw(
            st.sampled_from([str(value), [value], {"value": value}, None, 0, True, 1e308])
        )
    return tree


@st.composite
def mutated_body(draw: st.DrawFn, max_mutations: int = 4) -> Json:
    """A real webhook body (one of the fixtures) after a few random mutations, as JSON text
    would carry it (no shared sub-objects)."""
    tree: Json = FIXTURE_BODIES[draw(st.sampled_from(fixture_names()))]
    for _ in range(draw(st.integers(0, max_mutations))):
        tree = draw(mutation(tree))
    return json.loads(json.dumps(tree))


def fixture_path(name: str) -> Path:
    return FIXTURES / name
