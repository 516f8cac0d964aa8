"""Shop codes as shoppers type them: posters, QR codes and wa.me prefilled texts."""

from __future__ import annotations

import pytest

from commerce.shop_codes import (
    code_candidates,
    compact,
    is_distinctive,
    normalise_code,
    wa_me_link,
)


@pytest.mark.parametrize(
    "raw",
    ["SHOP-1234", "shop-1234", " Shop 1234 ", "shop_1234", "SHOP\u20131234", "shop - 1234"],
)
def test_spellings_of_one_code_normalise_to_it(raw: str) -> None:
    assert normalise_code(raw) == "SHOP-1234"


@pytest.mark.parametrize("raw", ["", "-", "S", "SHOP/1234", "A" * 33, "ŠHOP-1"])
def test_what_cannot_be_a_code_is_refused(raw: str) -> None:
    assert normalise_code(raw) is None


@pytest.mark.parametrize(
    "text",
    [
        "SHOP-1234",
        "Hi SHOP-1234",
        "Hi! SHOP-1234 👋",
        "Sawubona SHOP-1234",
        "hello shop-1234, I saw your poster",
        "Hi SHOP 1234",
        "I want to order from shop_1234 please",
        "Hi SHOP\u20131234",
        "Hi%20SHOP-1234",  # a wa.me text pasted still encoded
        "https://wa.me/27821234567?text=Hi%20SHOP-1234",
    ],
)
def test_the_code_in_a_prefilled_text_is_the_first_candidate_that_names_a_shop(
    text: str,
) -> None:
    candidates = code_candidates(text)
    assert "SHOP-1234" in candidates
    # Everything ranked before it has letters and digits too: the directory checks it first.
    before = candidates[: candidates.index("SHOP-1234")]
    assert all(is_distinctive(c) for c in before)


def test_a_code_typed_without_its_hyphen_is_a_candidate_to_compare_compactly() -> None:
    assert code_candidates("SHOP1234") == ("SHOP1234",)
    assert compact("SHOP-1234") == compact("SHOP1234") == "SHOP1234"


def test_specific_candidates_come_before_plain_words() -> None:
    assert code_candidates("Hi SHOP 1234") == ("SHOP-1234", "SHOP", "1234", "HI")


@pytest.mark.parametrize("text", ["2 bread please", "2 x bread", "add milk", "yes", "12", ""])
def test_in_another_shops_conversation_ordinary_messages_are_not_codes(text: str) -> None:
    assert code_candidates(text, distinctive_only=True) == ()


def test_in_another_shops_conversation_a_scanned_poster_is_a_code() -> None:
    assert code_candidates("Hi SHOP-5678", distinctive_only=True) == ("SHOP-5678",)


def test_a_long_message_is_cut_to_a_few_tokens() -> None:
    text = " ".join(["word"] * 100) + " SHOP-1234"
    assert "SHOP-1234" not in code_candidates(text)


def test_the_poster_link_opens_the_marketplace_chat_with_the_code_typed() -> None:
    assert wa_me_link("+27 82 123 4567", "SHOP-1234") == "https://wa.me/27821234567?text=SHOP-1234"
