"""Random outgoing messages with awkward content, for the render and Graph fake property tests.

Text mixes isiZulu and Sesotho words, emoji sequences (skin tones, ZWJ families, flags), RTL
script, zero-width and bidi marks, combining accents, CJK, line breaks and runs of spaces, at
lengths from empty to well past every limit.
"""

from __future__ import annotations

import random

from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    MediaReply,
    OutgoingMessage,
    ProductListReply,
    ProductReply,
    ProductSection,
    ReactionReply,
    TemplateReply,
    TextReply,
)

TOKENS = [
    "Sawubona",
    "ubisi",
    "isinkwa",
    "Ke kopa",
    "bohobe",
    "R12.50",
    "Ngiyabonga.",
    "Kea leboha!",
    "Uthini?",
    "milk",
    "👍",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇿🇦",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "❤️",
    "مرحبا",
    "שלום.",
    "\u200b",
    "\u200f",
    "\u200d",
    "\u2067",
    "é",
    "e\u0301\u0301",
    "谢谢。",
    "\n",
    "\n\n",
    "     ",
    "\t",
    "-",
    "…",
    "x" * 80,
]


def text(rng: random.Random, max_len: int) -> str:
    target = rng.choice([0, 1, 5, 20, 30, 80, max_len // 4, max_len // 2, max_len])
    parts: list[str] = []
    length = 0
    while length < target:
        token = rng.choice(TOKENS)
        parts.append(token)
        length += len(token) + 1
    return rng.choice([" ", "", " "]).join(parts)


def ident(rng: random.Random) -> str:
    return rng.choice(["/buy", "/sku 42", " /pad ", "", "p" * 300, f"/{rng.randint(0, 9)}"])


def message(rng: random.Random) -> OutgoingMessage:
    kind = rng.choice(
        ["text", "buttons", "list", "product", "product_list", "template", "media", "reaction"]
    )
    if kind == "text":
        return TextReply(text=text(rng, 9000), preview_url=rng.random() < 0.2)
    if kind == "buttons":
        return ButtonsReply(
            text=text(rng, 2500),
            buttons=tuple(
                Button(id=ident(rng), title=text(rng, 40)) for _ in range(rng.randint(0, 12))
            ),
            header=rng.choice([None, text(rng, 90)]),
            footer=rng.choice([None, text(rng, 90)]),
            list_button=rng.choice([None, "", text(rng, 30)]),
        )
    if kind == "list":
        return ListReply(
            text=text(rng, 2500),
            button=text(rng, 30),
            sections=tuple(
                ListSection(
                    title=text(rng, 40),
                    rows=tuple(
                        ListRow(id=ident(rng), title=text(rng, 40), description=text(rng, 100))
                        for _ in range(rng.randint(0, 6))
                    ),
                )
                for _ in range(rng.randint(0, 12))
            ),
            header=rng.choice([None, text(rng, 90)]),
            footer=rng.choice([None, text(rng, 90)]),
        )
    if kind == "product":
        return ProductReply(
            text=text(rng, 2500),
            catalog_id="cat1",
            product_retailer_id=f"SKU-{rng.randint(0, 99)}",
            footer=rng.choice([None, text(rng, 90)]),
        )
    if kind == "product_list":
        return ProductListReply(
            header=text(rng, 90),
            text=text(rng, 2500),
            catalog_id="cat1",
            sections=tuple(
                ProductSection(
                    title=text(rng, 40),
                    product_retailer_ids=tuple(
                        rng.choice([f"SKU-{rng.randint(0, 60)}", "", " "])
                        for _ in range(rng.randint(0, 12))
                    ),
                )
                for _ in range(rng.randint(0, 12))
            ),
            footer=rng.choice([None, text(rng, 90)]),
        )
    if kind == "template":
        return TemplateReply(
            name="order_update",
            language=rng.choice(["en_US", "zu", "st"]),
            body_parameters=tuple(text(rng, 200) for _ in range(rng.randint(0, 4))),
            header_parameters=tuple(text(rng, 90) for _ in range(rng.randint(0, 1))),
            button_payloads=tuple(
                rng.choice(["", "/yes", "/no"]) for _ in range(rng.randint(0, 3))
            ),
        )
    if kind == "media":
        source = rng.choice(["id", "link"])
        return MediaReply(
            kind=rng.choice(["image", "audio", "video", "document", "sticker"]),
            media_id="1234567890" if source == "id" else None,
            link="https://shop.example/p.jpg" if source == "link" else None,
            caption=rng.choice([None, text(rng, 3000)]),
            filename=rng.choice([None, "invoice.pdf", " "]),
        )
    return ReactionReply(message_id="wamid.HBgL", emoji=rng.choice(["", "👍", "❤️", "👍🏽"]))
