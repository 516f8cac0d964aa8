"""What a message on a marketplace number asks of the shop chooser."""

from __future__ import annotations

from typing import Any

import pytest

from bot.marketplace_requests import read_request
from dialogue.messages import InboundMessage, Location


def _message(kind: str = "text", **fields: Any) -> InboundMessage:
    return InboundMessage(
        message_id="wamid.1",
        recipient_id="500000000000001",
        sender_id="27820000001",
        timestamp=1,
        kind=kind,  # type: ignore[arg-type]
        **fields,
    )


PIN = Location(latitude=-26.2485, longitude=27.854, name="Orlando East")


@pytest.mark.parametrize("text", ["Hi", "hello!", "Sawubona", "menu", "help", "START"])
def test_while_choosing_a_greeting_asks_for_the_welcome(text: str) -> None:
    assert read_request(_message(text=text), choosing=True).kind == "welcome"


def test_while_choosing_stop_is_honoured_not_searched() -> None:
    assert read_request(_message(text="STOP"), choosing=True).kind == "opt_out"


def test_while_choosing_text_is_searched_with_its_code_candidates_first() -> None:
    request = read_request(_message(text="Hi SHOP-1234"), choosing=True)
    assert (request.kind, request.text, request.codes[0]) == ("text", "Hi SHOP-1234", "SHOP-1234")
    named = read_request(_message(text="Mama's spaza"), choosing=True)
    assert (named.kind, named.text) == ("text", "Mama's spaza")


def test_while_choosing_a_pin_asks_for_shops_near_it() -> None:
    request = read_request(_message("location", location=PIN), choosing=True)
    assert (request.kind, request.latitude, request.longitude) == ("near", -26.2485, 27.854)
    assert request.text == "Orlando East"


@pytest.mark.parametrize("choosing", [True, False])
def test_a_tap_on_a_shop_row_picks_it_and_a_bare_shop_button_switches(choosing: bool) -> None:
    pick = read_request(_message("choice", payload="shop:shop-1234"), choosing=choosing)
    assert (pick.kind, pick.codes) == ("pick", ("SHOP-1234",))
    assert read_request(_message("choice", payload="shop:"), choosing=choosing).kind == "switch"


@pytest.mark.parametrize("text", ["shops", "SWITCH", " Switch shop ", "other shops"])
@pytest.mark.parametrize("choosing", [True, False])
def test_switch_words_work_whether_or_not_a_shop_is_chosen(text: str, choosing: bool) -> None:
    assert read_request(_message(text=text), choosing=choosing).kind == "switch"


@pytest.mark.parametrize(
    "message",
    [
        _message(text="2 bread"),
        _message(text="hi"),
        _message(text="STOP"),
        _message("location", location=PIN),  # a delivery address pin, for the shop
        _message("choice", payload="product:5"),
        _message("media", media_type="image"),
    ],
)
def test_with_a_shop_chosen_messages_belong_to_that_shop(message: InboundMessage) -> None:
    assert read_request(message, choosing=False).kind == "pass"


def test_with_a_shop_chosen_another_shops_poster_code_may_switch() -> None:
    request = read_request(_message(text="Hi SHOP-5678"), choosing=False)
    assert (request.kind, request.codes) == ("text", ("SHOP-5678",))


def test_while_choosing_media_gets_the_welcome() -> None:
    assert read_request(_message("media", media_type="image"), choosing=True).kind == "welcome"
