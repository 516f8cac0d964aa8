import pytest

from dialogue.language import LanguageChoice, choose_language


def test_the_first_confident_message_sets_the_language() -> None:
    assert choose_language(None, "zu", 0.9, intent="greet").language == "zu"


def test_an_unsure_first_message_uses_the_shop_default() -> None:
    assert choose_language(None, "st", 0.2, intent="greet", default="zu").language == "zu"
    assert choose_language(None, "mixed", 0.9, intent="greet", default="st").language == "st"


@pytest.mark.parametrize("detected", [None, "mixed"])
def test_ambiguous_messages_never_flip_the_language(detected: str | None) -> None:
    previous = LanguageChoice("zu")
    assert choose_language(previous, detected, 0.99, intent="affirm") == previous


def test_a_low_confidence_word_does_not_flip_it() -> None:
    previous = LanguageChoice("zu")
    assert choose_language(previous, "en", 0.4, intent="affirm").language == "zu"


def test_a_greeting_in_another_language_switches_at_once() -> None:
    assert choose_language(LanguageChoice("en"), "st", 0.7, intent="greet").language == "st"


def test_a_run_of_confident_messages_switches() -> None:
    first = choose_language(LanguageChoice("en"), "zu", 0.95, intent="browse_catalog")
    assert first.language == "en"
    second = choose_language(first, "zu", 0.95, intent="ask_price")
    assert second.language == "zu"


def test_a_message_in_the_current_language_breaks_the_run() -> None:
    first = choose_language(LanguageChoice("en"), "zu", 0.95, intent="browse_catalog")
    back = choose_language(first, "en", 0.9, intent="ask_price")
    again = choose_language(back, "zu", 0.95, intent="view_cart")
    assert again.language == "en"
