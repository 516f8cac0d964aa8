"""Properties of rendering: any reply, whatever its text, becomes bodies Meta accepts, and no
visible text is lost.

"Meta accepts" is the Graph API fake's judgement (`graph_fake.validate`, the rules of
FACTS.md §4), plus the renderer's own stricter reading of the limits in UTF-16 units.
"Nothing is cut from text" (render.py) is checked as: the original text is the sent pieces in
order with only blank material (whitespace, invisible format or control characters) between
and around them, and no cut falls inside a grapheme.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from bot.simulator.graph_fake import validate
from channels.whatsapp import limits
from channels.whatsapp.limits import ELLIPSIS, is_blank
from channels.whatsapp.render import Body, render
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
from tests.property.strategies import EMOJI, any_text, hostile_text, long_text

TO = "27821234567"
ZWJ = "\u200d"
TOKENS = st.from_regex(r"\A[A-Za-z0-9_.:-]{1,40}\Z")


# --- strategies --------------------------------------------------------------------------------

label = hostile_text(max_size=4)  # titles, headers, footers, ids: short hostile text
texts = any_text()


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


buttons_replies = st.builds(
    ButtonsReply,
    text=texts,
    buttons=st.lists(st.builds(Button, id=label, title=label), max_size=6).map(tuple),
    header=optional(label),
    footer=optional(label),
    list_button=optional(label),
)
list_replies = st.builds(
    ListReply,
    text=texts,
    button=label,
    sections=st.lists(
        st.builds(
            ListSection,
            title=label,
            rows=st.lists(
                st.builds(ListRow, id=label, title=label, description=label), max_size=12
            ).map(tuple),
        ),
        max_size=12,
    ).map(tuple),
    header=optional(label),
    footer=optional(label),
)
product_replies = st.builds(
    ProductReply,
    text=texts,
    catalog_id=TOKENS,
    product_retailer_id=TOKENS,
    footer=optional(label),
)
product_list_replies = st.builds(
    ProductListReply,
    header=label,
    text=texts,
    catalog_id=TOKENS,
    sections=st.lists(
        st.builds(
            ProductSection,
            title=label,
            product_retailer_ids=st.lists(TOKENS | label, max_size=35).map(tuple),
        ),
        max_size=12,
    ).map(tuple),
    footer=optional(label),
)
template_replies = st.builds(
    TemplateReply,
    name=TOKENS,
    language=st.sampled_from(["en", "en_US", "zu", "st"]),
    body_parameters=st.lists(texts, max_size=3).map(tuple),
    header_parameters=st.lists(label, max_size=1).map(tuple),
    button_payloads=st.lists(label, max_size=3).map(tuple),
)


@st.composite
def media_replies(draw: st.DrawFn) -> MediaReply:
    kind = draw(st.sampled_from(["image", "audio", "video", "document", "sticker"]))
    source = draw(
        st.one_of(
            TOKENS.map(lambda media_id: {"media_id": media_id}),
            TOKENS.map(lambda path: {"link": f"https://cdn.example.com/{path}"}),
        )
    )
    return MediaReply(
        kind=kind, caption=draw(optional(texts)), filename=draw(optional(label)), **source
    )


reaction_replies = st.builds(ReactionReply, message_id=TOKENS, emoji=st.sampled_from(("", *EMOJI)))
text_replies = st.builds(TextReply, text=texts, preview_url=st.booleans())

replies: st.SearchStrategy[OutgoingMessage] = st.one_of(
    text_replies,
    buttons_replies,
    list_replies,
    product_replies,
    product_list_replies,
    template_replies,
    media_replies(),
    reaction_replies,
)


# --- checks ------------------------------------------------------------------------------------


def _joins(char: str, before: str) -> bool:
    """Whether no grapheme boundary may fall just before `char` (UAX #29 GB9, GB9a, GB11 and
    emoji modifiers, tags and variation selectors)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or ZWJ in (char, before)
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def is_boundary(text: str, index: int) -> bool:
    if index in (0, len(text)):
        return True
    if _joins(text[index], text[index - 1]):
        return False
    run = 0
    while index - run - 1 >= 0 and _regional(text[index - run - 1]):
        run += 1
    return not (_regional(text[index]) and run % 2 == 1)  # GB12/13: flags are pairs


def assert_pieces_of(original: str, pieces: list[str]) -> None:
    """`original` is `pieces` in order with only blank text between and around them, and
    where two pieces touch the cut is a grapheme boundary."""
    position = 0
    ends: list[int] = []
    for piece in pieces:
        found = original.find(piece, position)
        assert found >= 0, f"piece not in the text, in order: {piece[:40]!r}"
        assert is_blank(original[position:found]), f"visible text dropped before {piece[:40]!r}"
        if ends and ends[-1] == found:
            assert is_boundary(original, found), f"cut inside a grapheme at {found}"
        position = found + len(piece)
        ends.append(position)
    assert is_blank(original[position:]), "visible text dropped at the end"


def text_pieces(message: OutgoingMessage, bodies: list[Body]) -> list[str] | None:
    """The pieces of the message's own text across the bodies, in order (None for kinds
    whose text is not sent as is)."""
    pieces: list[str] = []
    for body in bodies:
        kind = body["type"]
        if kind == "text":
            pieces.append(body["text"]["body"])
        elif kind == "interactive":
            text = body["interactive"].get("body", {}).get("text")
            if text is not None and not (text == ELLIPSIS and is_blank(message_text(message))):
                pieces.append(text)
        elif kind in ("image", "video", "document") and "caption" in body[kind]:
            pieces.append(body[kind]["caption"])
        elif kind in ("template", "reaction"):
            return None
    return pieces


def message_text(message: OutgoingMessage) -> str:
    if isinstance(message, MediaReply):
        return message.caption or ""
    if isinstance(message, TemplateReply | ReactionReply):
        return ""
    return message.text


def assert_within_limits(body: Body) -> None:
    """The renderer's own reading of the limits: UTF-16 units, never more than Meta's."""
    kind = body["type"]
    if kind == "text":
        assert limits.size(body["text"]["body"]) <= limits.TEXT_BODY
    elif kind == "interactive" and "body" in body["interactive"]:
        assert limits.size(body["interactive"]["body"]["text"]) <= limits.INTERACTIVE_BODY
    elif kind in ("image", "video", "document") and "caption" in body[kind]:
        assert limits.size(body[kind]["caption"]) <= limits.CAPTION


# --- properties --------------------------------------------------------------------------------


@given(message=replies, reply_to=st.none() | TOKENS)
def test_every_reply_renders_to_bodies_meta_accepts(
    message: OutgoingMessage, reply_to: str | None
) -> None:
    bodies = render(message, TO, reply_to=reply_to)
    for body in bodies:
        assert validate(body) is None, (validate(body), body)
        assert (body["messaging_product"], body["to"]) == ("whatsapp", TO)
        assert_within_limits(body)
    if reply_to and bodies and not isinstance(message, ReactionReply):
        assert bodies[0]["context"] == {"message_id": reply_to}


@given(message=replies)
@example(message=TextReply(text="👩‍👩‍👧‍👦" * 2_000))  # no space, no sentence: cut between emoji
@example(message=TextReply(text="🇿🇦" * 3_000))  # flags: never between the two halves
@example(message=TextReply(text="مرحبا. " * 900))  # right to left, sentence ends
@example(message=TextReply(text="e\u0301" * 4_500))  # combining accents stay on their letter
@example(message=TextReply(text="'; DROP TABLE products; -- <script>" * 150))
@example(message=ButtonsReply(text="x" * 5_000, buttons=(Button(id="a", title="A"),)))
def test_no_visible_text_is_lost_and_no_grapheme_is_cut(message: OutgoingMessage) -> None:
    bodies = render(message, TO)
    pieces = text_pieces(message, bodies)
    if pieces is not None:
        assert_pieces_of(message_text(message).strip(), pieces)


@given(text=long_text(), kind=st.sampled_from(["text", "buttons", "caption"]))
def test_long_text_is_split_into_parts_within_the_limit(text: str, kind: str) -> None:
    message: OutgoingMessage
    if kind == "text":
        message = TextReply(text=text)
    elif kind == "buttons":
        message = ButtonsReply(text=text, buttons=(Button(id="/yes", title="Yes"),))
    else:
        message = MediaReply(kind="image", media_id="123", caption=text)
    bodies = render(message, TO)
    assert len(bodies) >= 2  # past 4,096 characters nothing fits in one body
    for body in bodies:
        assert validate(body) is None
        assert_within_limits(body)
    assert_pieces_of(text.strip(), text_pieces(message, bodies) or [])


def titles(bodies: list[Body]) -> list[Any]:
    interactive = bodies[-1].get("interactive", {})
    action = interactive.get("action", {})
    if "buttons" in action:
        return [button["reply"]["title"] for button in action["buttons"]]
    return [row["title"] for section in action.get("sections", []) for row in section["rows"]]


@given(names=st.lists(hostile_text(min_size=1), min_size=1, max_size=10))
def test_rows_with_hostile_names_render_as_a_list_meta_accepts(names: list[str]) -> None:
    """What a product list looks like: one row per product, named by the merchant."""
    rows = tuple(
        ListRow(id=f"product:{n}", title=name, description="R12,99 / each")
        for n, name in enumerate(names)
    )
    message = ListReply(text="Our products:", button="Products", sections=(ListSection(rows=rows),))
    bodies = render(message, TO)
    assert [validate(body) for body in bodies] == [None] * len(bodies)
    assert len(titles(bodies)) == len(names)
