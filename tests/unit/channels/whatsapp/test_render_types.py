"""Every outgoing type renders to the shape FACTS.md §4 documents."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from channels.whatsapp.render import render, render_mark_read, requires_open_window
from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    MediaReply,
    OutboundEnvelope,
    OutgoingMessage,
    ProductListReply,
    ProductReply,
    ProductSection,
    ReactionReply,
    TemplateReply,
    TextReply,
)

TO = "27820001111"
ENVELOPE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}


def render_one(message: OutgoingMessage, **kwargs: Any) -> dict[str, Any]:
    (body,) = render(message, TO, **kwargs)
    return body


def test_reply_buttons_with_header_and_footer() -> None:
    reply = ButtonsReply(
        text="Ufuna ukuqhubeka?",
        buttons=(Button(id="/yes", title="Yebo"), Button(id="/no", title="Cha")),
        header="Inqola yakho",
        footer="Spaza kaThandi",
    )
    assert render_one(reply) == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "text", "text": "Inqola yakho"},
            "body": {"text": "Ufuna ukuqhubeka?"},
            "footer": {"text": "Spaza kaThandi"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "/yes", "title": "Yebo"}},
                    {"type": "reply", "reply": {"id": "/no", "title": "Cha"}},
                ]
            },
        },
    }


def test_list_with_sections() -> None:
    reply = ListReply(
        text="Khetha",
        button="Bona",
        sections=(
            ListSection(title="Ubisi", rows=(ListRow(id="/m1", title="1L", description="R18"),)),
            ListSection(title="Isinkwa", rows=(ListRow(id="/b1", title="Brown"),)),
        ),
    )
    assert render_one(reply)["interactive"] == {
        "type": "list",
        "body": {"text": "Khetha"},
        "action": {
            "button": "Bona",
            "sections": [
                {"title": "Ubisi", "rows": [{"id": "/m1", "title": "1L", "description": "R18"}]},
                {"title": "Isinkwa", "rows": [{"id": "/b1", "title": "Brown"}]},
            ],
        },
    }


def test_single_product() -> None:
    reply = ProductReply(
        text="Nanti ubisi", catalog_id="C1", product_retailer_id="MILK-1L", footer="R18"
    )
    assert render_one(reply) == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "product",
            "body": {"text": "Nanti ubisi"},
            "footer": {"text": "R18"},
            "action": {"catalog_id": "C1", "product_retailer_id": "MILK-1L"},
        },
    }


def test_single_product_body_is_optional() -> None:
    interactive = render_one(ProductReply(catalog_id="C1", product_retailer_id="X"))["interactive"]
    assert "body" not in interactive
    assert "header" not in interactive


def test_multi_product() -> None:
    reply = ProductListReply(
        header="Dairy",
        text="Our milk",
        catalog_id="C1",
        sections=(
            ProductSection(title="Milk", product_retailer_ids=("MILK-1L", "MILK-2L")),
            ProductSection(title="Cheese", product_retailer_ids=("CHEDDAR",)),
        ),
        footer="Prices incl. VAT",
    )
    assert render_one(reply) == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "product_list",
            "header": {"type": "text", "text": "Dairy"},
            "body": {"text": "Our milk"},
            "footer": {"text": "Prices incl. VAT"},
            "action": {
                "catalog_id": "C1",
                "sections": [
                    {
                        "title": "Milk",
                        "product_items": [
                            {"product_retailer_id": "MILK-1L"},
                            {"product_retailer_id": "MILK-2L"},
                        ],
                    },
                    {"title": "Cheese", "product_items": [{"product_retailer_id": "CHEDDAR"}]},
                ],
            },
        },
    }


def test_template_without_parameters_has_no_components() -> None:
    assert render_one(TemplateReply(name="hello_world", language="en_US")) == {
        **ENVELOPE,
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }


def test_template_with_header_body_and_quick_reply_buttons() -> None:
    reply = TemplateReply(
        name="order_ready",
        language="zu",
        header_parameters=("#1042",),
        body_parameters=("Thandi", "R54.00"),
        button_payloads=("/collect", "/deliver"),
    )
    assert render_one(reply)["template"] == {
        "name": "order_ready",
        "language": {"code": "zu"},
        "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Thandi"},
                    {"type": "text", "text": "R54.00"},
                ],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "/collect"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "1",
                "parameters": [{"type": "payload", "payload": "/deliver"}],
            },
        ],
    }


def test_template_parameters_lose_line_breaks_and_tabs_and_are_never_empty() -> None:
    reply = TemplateReply(name="t", language="st", body_parameters=("a\nb\t c      d", " "))
    parameters = render_one(reply)["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["a b c d", "…"]


def test_a_blank_quick_reply_payload_is_left_out_and_keeps_the_other_indexes() -> None:
    reply = TemplateReply(name="t", language="en", button_payloads=("", "/no"))
    (component,) = render_one(reply)["template"]["components"]
    assert component["index"] == "1"


@pytest.mark.parametrize("kind", ["image", "video", "document"])
def test_media_by_id_with_caption(kind: str) -> None:
    body = render_one(MediaReply(kind=kind, media_id="987", caption="Nansi"))
    assert body == {**ENVELOPE, "type": kind, kind: {"id": "987", "caption": "Nansi"}}


@pytest.mark.parametrize("kind", ["image", "audio", "video", "document", "sticker"])
def test_media_by_link(kind: str) -> None:
    body = render_one(MediaReply(kind=kind, link="https://shop.example/f"))
    assert body == {**ENVELOPE, "type": kind, kind: {"link": "https://shop.example/f"}}


def test_document_keeps_its_filename_other_media_do_not_take_one() -> None:
    document = render_one(MediaReply(kind="document", media_id="1", filename="invoice.pdf"))
    assert document["document"]["filename"] == "invoice.pdf"
    image = render_one(MediaReply(kind="image", media_id="1", filename="photo.jpg"))
    assert "filename" not in image["image"]


@pytest.mark.parametrize("kind", ["audio", "sticker"])
def test_a_caption_on_audio_or_a_sticker_goes_before_it_as_text(kind: str) -> None:
    text, media = render(MediaReply(kind=kind, media_id="1", caption="Lalela"), TO)
    assert text["text"]["body"] == "Lalela"
    assert media == {**ENVELOPE, "type": kind, kind: {"id": "1"}}


@pytest.mark.parametrize(("media_id", "link"), [(None, None), ("1", "https://x.example/y")])
def test_media_needs_exactly_one_source(media_id: str | None, link: str | None) -> None:
    with pytest.raises(ValidationError, match="exactly one of media_id or link"):
        MediaReply(kind="image", media_id=media_id, link=link)


@pytest.mark.parametrize("emoji", ["👍", "❤️", ""])
def test_reaction_and_its_removal(emoji: str) -> None:
    assert render_one(ReactionReply(message_id="wamid.A", emoji=emoji)) == {
        **ENVELOPE,
        "type": "reaction",
        "reaction": {"message_id": "wamid.A", "emoji": emoji},
    }


def test_reply_to_quotes_on_the_first_body_only() -> None:
    bodies = render(TextReply(text="Ngiyabonga. " * 500), TO, reply_to="wamid.Q")
    assert bodies[0]["context"] == {"message_id": "wamid.Q"}
    assert all("context" not in body for body in bodies[1:])
    reaction = render_one(ReactionReply(message_id="wamid.A", emoji="👍"), reply_to="wamid.Q")
    assert "context" not in reaction


def test_a_blank_text_sends_nothing() -> None:
    assert render(TextReply(text=" \n\u200b "), TO) == []


def test_buttons_without_buttons_become_plain_text() -> None:
    (body,) = render(ButtonsReply(text="Sawubona", buttons=()), TO)
    assert body["type"] == "text"


def test_preview_url_is_passed_on() -> None:
    body = render_one(TextReply(text="https://shop.example", preview_url=True))
    assert body["text"]["preview_url"] is True


@pytest.mark.parametrize("typing", [True, False])
def test_mark_read(typing: bool) -> None:
    body = render_mark_read("wamid.IN", typing)
    expected: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
    }
    if typing:
        expected["typing_indicator"] = {"type": "text"}
    assert body == expected


@pytest.mark.parametrize(
    ("message", "needs_window"),
    [
        (TextReply(text="hi"), True),
        (ButtonsReply(text="hi", buttons=(Button(id="/a", title="A"),)), True),
        (ProductReply(catalog_id="C", product_retailer_id="S"), True),
        (MediaReply(kind="image", media_id="1"), True),
        (ReactionReply(message_id="wamid.A", emoji="👍"), True),
        (TemplateReply(name="t", language="en"), False),
    ],
    ids=lambda value: getattr(value, "type", str(value)),
)
def test_only_templates_go_outside_the_window(message: OutgoingMessage, needs_window: bool) -> None:
    assert all(requires_open_window(body) is needs_window for body in render(message, TO))
    assert requires_open_window(render_mark_read("wamid.IN")) is False


@pytest.mark.parametrize(
    "message",
    [
        ProductReply(catalog_id="C", product_retailer_id="S"),
        ProductListReply(
            header="H",
            text="t",
            catalog_id="C",
            sections=(ProductSection(product_retailer_ids=("S",)),),
        ),
        TemplateReply(name="t", language="en", body_parameters=("x",)),
        MediaReply(kind="document", link="https://x.example/a.pdf", filename="a.pdf"),
        ReactionReply(message_id="wamid.A"),
        ButtonsReply(text="t", buttons=(Button(id="/a", title="A"),), list_button="Bona"),
    ],
    ids=lambda message: message.type,
)
def test_new_types_cross_the_queue_unchanged(message: OutgoingMessage) -> None:
    envelope = OutboundEnvelope(id="wamid.IN:0", sender_id="PN1", to=TO, message=message)
    assert OutboundEnvelope.model_validate_json(envelope.model_dump_json()) == envelope
    assert TypeAdapter(OutgoingMessage).validate_python(message.model_dump()) == message
