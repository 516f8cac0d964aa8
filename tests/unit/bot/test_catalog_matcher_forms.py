"""The pieces under the catalogue matcher: inflected forms, fuzzy policy, words of a text."""

from __future__ import annotations

import pytest

from bot.nlu.catalog_text import blank_pipeline, fold, name_forms, without_sizes, words_of
from bot.nlu.fuzzy import FuzzyIndex, FuzzyPolicy
from bot.nlu.noun_forms import base_forms


@pytest.mark.parametrize(
    ("word", "language", "base"),
    [
        ("yesinkwa", "zu", "isinkwa"),
        ("yobisi", "zu", "ubisi"),
        ("yenkukhu", "zu", "inkukhu"),
        ("yamaqanda", "zu", "amaqanda"),
        ("netiye", "zu", "itiye"),
        ("nekhofi", "zu", "ikhofi"),
        ("sinkwa", "zu", "isinkwa"),
        ("nkukhu", "zu", "inkukhu"),
        ("izinkwa", "zu", "isinkwa"),
        ("iqanda", "zu", "amaqanda"),
        ("disepa", "st", "sesepa"),
        ("ditapole", "st", "tapole"),
        ("eggs", "en", "egg"),
        ("egg", "en", "eggs"),
        ("tomatoes", "en", "tomato"),
    ],
)
def test_attested_prefixes_give_the_base_form(word: str, language: str, base: str) -> None:
    assert base in base_forms(word, language)


def test_a_rule_never_leaves_less_than_a_stem() -> None:
    # "yebo" is not ya- + "bo": too little is left to be a noun.
    assert not {"ibo", "ubo", "abo"} & set(base_forms("yebo", "zu"))
    assert list(base_forms("ya", "zu")) == []
    assert list(base_forms("di", "st")) == []


@pytest.fixture(scope="module")
def index() -> FuzzyIndex:
    return FuzzyIndex(
        ["bread", "salt", "rice", "data", "sugar", "ubisi", "tee", "cooking oil"], FuzzyPolicy()
    )


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("bred", "bread"),
        ("breads", "bread"),
        ("sugr", "sugar"),
        ("suggar", "sugar"),
        ("cooking oul", "cooking oil"),
    ],
)
def test_a_dropped_or_added_letter_matches(index: FuzzyIndex, typed: str, term: str) -> None:
    assert index.lookup(typed)[0][0] == term


@pytest.mark.parametrize("typed", ["break", "sale", "date", "price", "ubisy", "tea", "nice"])
def test_other_real_words_do_not_match_outside_a_product_span(
    index: FuzzyIndex, typed: str
) -> None:
    assert index.lookup(typed) == []


def test_inside_a_product_span_one_changed_letter_matches(index: FuzzyIndex) -> None:
    assert index.lookup("ubisy", proposed=True) == [("ubisi", 80.0)]
    assert index.lookup("tea", proposed=True) == []  # still too short


def test_words_are_folded_and_punctuation_dropped() -> None:
    words = words_of(blank_pipeline(), "Ngicela i-BREAD, tšoana!")
    assert [(w.text, w.start, w.end) for w in words] == [
        ("ngicela", 0, 7),
        ("i", 8, 9),
        ("bread", 10, 15),
        ("tsoana", 17, 23),
    ]
    assert fold("Tšoana\u2019s") == "tsoana's"


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("Maize meal 5kg", "maize meal"),
        ("Milk 1L", "milk"),
        ("Eggs x6", "eggs"),
        ("Eggs x 6", "eggs"),
        ("Tea bags 100s", "tea bags"),
        ("Airtime R10", "airtime"),
        ("7UP", ""),
    ],
)
def test_a_names_size_is_not_needed_to_match_it(name: str, core: str) -> None:
    assert name_forms(name)[1] == core


def test_only_units_after_an_amount_are_sizes() -> None:
    assert without_sizes(["x", "ray", "film"]) == ["x", "ray", "film"]
    assert without_sizes(["sugar", "2", "kg"]) == ["sugar"]
