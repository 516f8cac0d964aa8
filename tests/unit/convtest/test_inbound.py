"""User actions become webhook message objects; taps find what the bot showed, newest first."""

from __future__ import annotations

import pytest

from bot.convtest.format import Turn
from bot.convtest.inbound import TapError, inbound, tap
from bot.convtest.received import Choice, Received, received
from channels.whatsapp.render import render
from dialogue.messages import Button, ButtonsReply, ListReply, ListRow, ListSection, TextReply

TO = "27831000001"


def sent(message: ButtonsReply | ListReply | TextReply) -> Received:
    [body] = render(message, TO)
    return received(body, 100)


GREETING = sent(
    ButtonsReply(
        text="Hi!",
        buttons=(Button(id="/browse_catalog", title="Products"), Button(id="/help", title="Help")),
    )
)
PRODUCTS = sent(
    ListReply(
        text="Our products:",
        button="Products",
        sections=(
            ListSection(
                rows=(
                    ListRow(id="product:1", title="Bread", description="R16.99 / loaf"),
                    ListRow(id="product:2", title="Help"),
                )
            ),
        ),
    )
)


def test_rendered_replies_read_back_as_designers_see_them() -> None:
    assert GREETING.type == "buttons"
    assert GREETING.text == "Hi!"
    assert GREETING.buttons == (Choice("/browse_catalog", "Products"), Choice("/help", "Help"))
    assert PRODUCTS.type == "list"
    assert PRODUCTS.rows[0] == Choice("product:1", "Bread", "R16.99 / loaf")
    text = sent(TextReply(text="Bye"))
    assert (text.type, text.text, text.bytes, text.to) == ("text", "Bye", 100, TO)
    assert PRODUCTS.describe() == 'list "Our products:" [Bread, Help]'


def test_a_tap_by_title_or_id_replies_to_the_newest_control() -> None:
    button = tap("Products", [GREETING])["interactive"]
    assert button == {
        "type": "button_reply",
        "button_reply": {"id": "/browse_catalog", "title": "Products"},
    }
    row = tap("product:1", [GREETING, PRODUCTS])["interactive"]["list_reply"]
    assert row == {"id": "product:1", "title": "Bread", "description": "R16.99 / loaf"}
    # "Help" is both an older button and a newer row: the newest message wins.
    assert tap("Help", [GREETING, PRODUCTS])["interactive"]["type"] == "list_reply"
    assert tap("help", [GREETING])["interactive"]["button_reply"]["id"] == "/help"  # any case
    assert tap("Products", [GREETING, sent(TextReply(text="ok"))])["type"] == "interactive"


def test_a_tap_on_nothing_shown_explains() -> None:
    with pytest.raises(TapError, match="the bot has shown no buttons or list yet"):
        tap("Products", [])
    with pytest.raises(TapError, match=r"no button or list row .* \(last offered: Bread, Help\)"):
        tap("Checkout", [GREETING, PRODUCTS])


def test_each_action_becomes_its_webhook_message() -> None:
    def message(action: dict[str, object]) -> dict[str, object]:
        return inbound(
            Turn.model_validate({**action, "bot": [{"type": "text"}]}), [GREETING]
        ).message

    assert message({"user": "hi"}) == {"type": "text", "text": {"body": "hi"}}
    assert message({"tap": "Help"})["type"] == "interactive"
    pin = message({"location": {"lat": -26.2, "lon": 27.9, "name": "Soweto"}})
    assert pin == {
        "type": "location",
        "location": {"latitude": -26.2, "longitude": 27.9, "name": "Soweto"},
    }
    voice = inbound(Turn.model_validate({"voice": "", "bot": [{"type": "text"}]}), [])
    assert voice.message["type"] == "audio"
    assert voice.message["audio"]["voice"] is True  # type: ignore[index]
    assert voice.media is not None
    assert voice.message["audio"]["id"] == voice.media.media_id  # type: ignore[index]
    photo = inbound(Turn.model_validate({"image": "fresh?", "bot": [{"type": "text"}]}), [])
    assert photo.message["image"]["caption"] == "fresh?"  # type: ignore[index]
    assert photo.media is not None
    assert photo.media.mime_type == "image/jpeg"
