"""The shop's catalogue decides the `product` entity: exact, inflected and misspelt names.

isiZulu and Sesotho product names are the words listed in nlu_data/SOURCES.md.
"""

from __future__ import annotations

import pytest

from bot.nlu.catalog_matcher import CatalogMatcher, as_entities
from bot.nlu.client import Parse
from bot.nlu.product_matches import ProductMatches, Proposal
from commerce.catalog import Product

WHITE_BREAD, BROWN_BREAD, MILK, EGGS, MAIZE, SUGAR, TEA, CHICKEN, OIL, SOAP, POTATOES = range(1, 12)

CATALOG = [
    Product(
        WHITE_BREAD,
        "BREAD-WHITE",
        {"en": "White bread", "zu": "Isinkwa", "st": "Bohobe"},
        1699,
        "loaf",
        {"en": ("bread",)},
    ),
    Product(
        BROWN_BREAD,
        "BREAD-BROWN",
        {"en": "Brown bread", "zu": "Isinkwa esinsundu"},
        1799,
        "loaf",
        {"en": ("bread",)},
    ),
    Product(
        MILK, "MILK-1L", {"en": "Milk 1L", "zu": "Ubisi 1L", "st": "Lebese 1L"}, 2199, "bottle"
    ),
    Product(EGGS, "EGGS-6", {"en": "Eggs x6", "zu": "Amaqanda x6", "st": "Mahe x6"}, 2499, "box"),
    Product(
        MAIZE,
        "MAIZE-5KG",
        {"en": "Maize meal 5kg"},
        7499,
        "bag",
        {"en": ("mealie meal", "mielie meal")},
    ),
    Product(
        SUGAR, "SUGAR-2KG", {"en": "Sugar 2kg", "zu": "Ushukela", "st": "Tswekere"}, 3999, "bag"
    ),
    Product(
        TEA,
        "TEA-100",
        {"en": "Tea bags 100", "zu": "Itiye", "st": "Tee"},
        4599,
        "box",
        {"en": ("tea", "rooibos")},
    ),
    Product(
        CHICKEN,
        "CHICKEN-2KG",
        {"en": "Frozen chicken 2kg", "zu": "Inkukhu", "st": "Nama ya kgoho"},
        8999,
        "bag",
        {"en": ("chicken",)},
    ),
    Product(
        OIL, "OIL-2L", {"en": "Cooking oil 2L", "zu": "Amafutha", "st": "Mafura"}, 5499, "bottle"
    ),
    Product(SOAP, "SOAP", {"en": "Soap", "st": "Sesepa"}, 1299, "bar"),
    Product(
        POTATOES,
        "POTATO-7KG",
        {"en": "Potatoes 7kg", "zu": "Amazambane", "st": "Tapole"},
        6999,
        "bag",
    ),
]


@pytest.fixture(scope="module")
def matcher() -> CatalogMatcher:
    return CatalogMatcher.build(CATALOG)


def found(matches: ProductMatches) -> set[int]:
    return {candidate.product_id for candidate in matches.candidates}


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("bohobe", WHITE_BREAD),
        ("Isinkwa", WHITE_BREAD),
        ("WHITE BREAD", WHITE_BREAD),
        ("brown bread", BROWN_BREAD),
        ("isinkwa esinsundu", BROWN_BREAD),
        ("ubisi", MILK),
        ("lebese", MILK),
        ("mahe", EGGS),
        ("amaqanda", EGGS),
        ("nama ya kgoho", CHICKEN),
        ("mafura", OIL),
        ("rooibos", TEA),
        ("mielie meal", MAIZE),
    ],
)
def test_names_and_aliases_match_exactly_in_every_language(
    matcher: CatalogMatcher, text: str, product: int
) -> None:
    best = matcher.match(text).best
    assert best is not None
    assert (best.product_id, best.method, best.text) == (product, "exact", text)


@pytest.mark.parametrize(
    ("text", "product", "span"),
    [
        ("ngicela 2 bread", WHITE_BREAD, "bread"),
        ("ke batla bohobe tse pedi", WHITE_BREAD, "bohobe"),
        ("ngicela izinkwa ezimbili", WHITE_BREAD, "izinkwa"),
        ("amaqanda amathathu", EGGS, "amaqanda"),
        ("ke kopa mahe a mararo", EGGS, "mahe"),
        ("2x eggs please", EGGS, "eggs"),
        ("lebese x2", MILK, "lebese"),
        ("ubisi amalitha amabili", MILK, "ubisi"),
        ("ke batla tswekere ya 2kg", SUGAR, "tswekere"),
        ("sugar 2kg", SUGAR, "sugar 2kg"),
    ],
)
def test_a_quantity_next_to_a_product_does_not_break_the_match(
    matcher: CatalogMatcher, text: str, product: int, span: str
) -> None:
    mentions = matcher.match(text).mentions()
    assert [m.text for m in mentions] == [span]
    assert product in {c.product_id for c in mentions[0].candidates}


@pytest.mark.parametrize(
    ("text", "product", "span"),
    [
        ("shintsha intengo yesinkwa ibe uR17", WHITE_BREAD, "yesinkwa"),
        ("intengo yobisi manje ngu-R22", MILK, "yobisi"),
        ("intengo yamaqanda", EGGS, "yamaqanda"),
        ("intengo yamafutha manje uR55", OIL, "yamafutha"),
        ("ngitshele kabanzi ngale nkukhu", CHICKEN, "nkukhu"),
        ("ngitshele kabanzi ngalesi sinkwa", WHITE_BREAD, "sinkwa"),
        ("ngicela ubisi netiye", TEA, "netiye"),
        ("ke batla disepa tse pedi", SOAP, "disepa"),
        ("ditapole di teng?", POTATOES, "ditapole"),
        ("one egg please", EGGS, "egg"),
    ],
)
def test_attested_isizulu_and_sesotho_prefixes_are_read_back_to_the_catalogue_name(
    matcher: CatalogMatcher, text: str, product: int, span: str
) -> None:
    candidates = [c for c in matcher.match(text).candidates if c.method == "inflected"]
    assert [(c.product_id, c.text) for c in candidates] == [(product, span)]


@pytest.mark.parametrize(
    ("text", "product", "span"),
    [
        ("bred please", WHITE_BREAD, "bred"),
        ("ngicela sugr", SUGAR, "sugr"),
        ("ke batla bohbe", WHITE_BREAD, "bohbe"),
        ("cooking oul", OIL, "cooking oul"),
        ("mealiemeal 10kg", MAIZE, "mealiemeal"),
        ("ngicela ushukla", SUGAR, "ushukla"),
    ],
)
def test_misspellings_match_fuzzily(
    matcher: CatalogMatcher, text: str, product: int, span: str
) -> None:
    matches = matcher.match(text)
    assert product in found(matches)
    assert {(c.text, c.method) for c in matches.candidates} == {(span, "fuzzy")}
    assert all(c.score <= 0.9 for c in matches.candidates)


def test_a_changed_letter_in_a_short_word_needs_the_nlus_product_span(
    matcher: CatalogMatcher,
) -> None:
    # "ubisy" is as far from "ubisi" as "break" is from "bread": only context tells them apart.
    assert matcher.match("ngicela ubisy").candidates == ()
    matches = matcher.match("ngicela ubisy", [Proposal(8, 13, "ubisy")])
    assert matches.best is not None
    assert (matches.best.product_id, matches.best.method, matches.best.proposed) == (
        MILK,
        "fuzzy",
        True,
    )


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "sawubona mama",
        "ngiyabonga kakhulu",
        "ke a leboha",
        "dumela ntate, le bula neng?",
        "is there a sale?",
        "I need a break",
        "what date do you deliver?",
        "price list please",
        "delivery ke bokae?",
        "ngifuna ukukhokha ngekhadi",
        "ke tla patala ka tjhelete",
        "amane",
        "tse pedi",
        "ezimbili",
        "isithupha",
        "i-oda lami likuphi?",
        "STOP",
        "ok 👍",
        "",
    ],
)
def test_unrelated_words_match_nothing(matcher: CatalogMatcher, text: str) -> None:
    assert matcher.match(text).candidates == ()


def test_words_of_three_letters_or_fewer_must_match_exactly() -> None:
    matcher = CatalogMatcher.build([Product(1, "TEE", {"en": "Tee"}, 100, "each")])
    assert matcher.match("tea").candidates == ()
    assert matcher.match("te").candidates == ()
    assert found(matcher.match("tee")) == {1}


def test_a_longer_name_wins_over_the_words_inside_it(matcher: CatalogMatcher) -> None:
    matches = matcher.match("brown bread x2")
    assert [(c.product_id, c.text) for c in matches.candidates] == [(BROWN_BREAD, "brown bread")]


def test_one_word_for_several_products_is_ambiguous(matcher: CatalogMatcher) -> None:
    [mention] = matcher.match("ngicela bread").mentions()
    assert mention.ambiguous
    assert {c.product_id for c in mention.candidates} == {WHITE_BREAD, BROWN_BREAD}


def test_several_products_come_back_in_the_order_of_the_text(matcher: CatalogMatcher) -> None:
    mentions = matcher.match("ngicela ubisi, amaqanda ne-sugar").mentions()
    assert [(m.text, m.candidates[0].product_id) for m in mentions] == [
        ("ubisi", MILK),
        ("amaqanda", EGGS),
        ("sugar", SUGAR),
    ]


def test_exact_beats_inflected_beats_fuzzy(matcher: CatalogMatcher) -> None:
    matches = matcher.match("bred, izinkwa, bohobe")
    methods = [c.method for c in matches.candidates if c.product_id == WHITE_BREAD]
    assert methods == ["exact", "inflected", "fuzzy"]
    assert [c.score for c in matches.candidates] == sorted(
        (c.score for c in matches.candidates), reverse=True
    )


def test_a_name_without_its_size_matches_a_little_lower(matcher: CatalogMatcher) -> None:
    [milk] = matcher.match("milk").candidates
    [milk_1l] = matcher.match("milk 1L").candidates
    assert (milk.product_id, milk_1l.product_id) == (MILK, MILK)
    assert milk.score < milk_1l.score == 1.0


def test_offsets_point_into_the_original_text(matcher: CatalogMatcher) -> None:
    text = "Ngicela i-Bread ne-Lebese"
    for candidate in matcher.match(text).candidates:
        assert text[candidate.start : candidate.end] == candidate.text
    assert {c.text for c in matcher.match(text).candidates} == {"Bread", "Lebese"}


def test_the_nlus_product_span_is_used(matcher: CatalogMatcher) -> None:
    text = "shintsha intengo yesinkwa ibe uR17"
    parse = Parse(
        text=text,
        intent="set_price",
        confidence=0.9,
        entities=({"entity": "product", "value": "isinkwa", "start": 17, "end": 25},),
    )
    best = matcher.match_parse(parse).best
    assert best is not None
    assert (best.product_id, best.text, best.proposed) == (WHITE_BREAD, "yesinkwa", True)


def test_the_nlus_normalised_value_is_tried_when_its_span_matches_nothing(
    matcher: CatalogMatcher,
) -> None:
    # A Rasa synonym may map a word the catalogue does not know to one it does.
    text = "2 witbrood asseblief"
    parse = Parse(
        text=text,
        intent="add_to_cart",
        confidence=0.9,
        entities=({"entity": "product", "value": "white bread", "start": 2, "end": 10},),
    )
    [candidate] = matcher.match_parse(parse).candidates
    assert (candidate.product_id, candidate.text, candidate.proposed) == (
        WHITE_BREAD,
        "witbrood",
        True,
    )


def test_a_proposed_product_the_shop_does_not_sell_is_reported(matcher: CatalogMatcher) -> None:
    text = "ngicela paraffin"
    parse = Parse(
        text=text,
        intent="add_to_cart",
        confidence=0.9,
        entities=(
            {"entity": "quantity", "value": 2, "start": 0, "end": 1},
            {"entity": "product", "value": "paraffin", "start": 8, "end": 16},
        ),
    )
    matches = matcher.match_parse(parse)
    assert matches.candidates == ()
    assert matches.unmatched == (Proposal(8, 16, "paraffin"),)


def test_a_proposal_without_offsets_is_found_by_its_value() -> None:
    assert Proposal.from_entity({"entity": "product", "value": "Bread"}, "2 bread") == Proposal(
        2, 7, "Bread"
    )
    assert Proposal.from_entity({"entity": "product", "value": "milk"}, "2 bread") is None


def test_best_matches_read_as_rasa_entities(matcher: CatalogMatcher) -> None:
    entities = as_entities(matcher.match("ngicela lebese le bohobe"))
    assert [(e["entity"], e["value"], e["product_id"], e["sku"]) for e in entities] == [
        ("product", "lebese", MILK, "MILK-1L"),
        ("product", "bohobe", WHITE_BREAD, "BREAD-WHITE"),
    ]
    assert entities[0]["start"] == 8
    assert not entities[0]["ambiguous"]


def test_an_empty_catalogue_matches_nothing() -> None:
    matcher = CatalogMatcher.build([])
    assert len(matcher) == 0
    assert matcher.match("bread").candidates == ()
