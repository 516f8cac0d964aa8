"""Content over a limit degrades instead of overflowing, and long text is split, never cut."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

import pytest

from bot.simulator.graph_fake import validate
from channels.whatsapp import limits
from channels.whatsapp.limits import shorten, size, split_tail, split_text
from channels.whatsapp.render import render
from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    MediaReply,
    ProductListReply,
    ProductReply,
    ProductSection,
    TextReply,
)
from tests.unit.channels.whatsapp import outgoing

TO = "27820001111"
SEEDS = range(40)


def assert_pieces_keep_the_text(pieces: list[str], text: str, limit: int) -> None:
    """Each piece fits; in order they are the text, less whitespace at the cuts."""
    position = 0
    for piece in pieces:
        assert piece
        assert size(piece) <= limit
        found = text.find(piece, position)
        assert found >= 0, piece[:40]
        assert text[position:found].strip() == ""  # only whitespace was dropped
        position = found + len(piece)
    assert text[position:].strip() == ""


# --- split_text ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_split_text_keeps_every_character_of_awkward_text(seed: int) -> None:
    rng = random.Random(seed)
    text = outgoing.text(rng, 20_000) + "".join(rng.choice(outgoing.TOKENS) for _ in range(500))
    limit = rng.choice([20, 24, 60, 1024, limits.TEXT_BODY])
    assert_pieces_keep_the_text(split_text(text, limit), text, limit)


@pytest.mark.parametrize("seed", SEEDS)
def test_split_text_cuts_at_sentence_ends(seed: int) -> None:
    rng = random.Random(seed)
    sentences = [
        " ".join(
            rng.choice(["Ngicela", "ubisi", "nesinkwa", "R12", "😀", "ke", "kopa"])
            for _ in range(rng.randint(1, 30))
        )
        + rng.choice([".", "!", "?", "…", '."', "؟"])
        for _ in range(400)
    ]
    text = " ".join(sentences)
    pieces = split_text(text, 300)
    assert_pieces_keep_the_text(pieces, text, 300)
    for piece in pieces:
        assert piece.endswith(tuple('.!?…"؟')), piece[-20:]
    starts = {sentence.split(" ")[0] for sentence in sentences}
    assert all(piece.split(" ")[0] in starts for piece in pieces)


def test_split_text_prefers_a_sentence_end_to_a_fuller_piece() -> None:
    text = "Sawubona. " + "word " * 30
    assert split_text(text, 100)[0] == "Sawubona."


def test_split_text_falls_back_to_words_then_to_characters() -> None:
    assert split_text("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_text_keeps_line_breaks_inside_a_piece_and_cuts_at_them() -> None:
    text = "Your cart:\n- milk\n- bread\n" + "Total R30"
    assert split_text(text, 100) == [text]
    assert split_text(text, 20) == ["Your cart:\n- milk", "- bread\nTotal R30"]


@pytest.mark.parametrize(
    "cluster", ["👨‍👩‍👧‍👦", "👍🏽", "🇿🇦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️", "e\u0301", "ק\u05b8"], ids=ascii
)
def test_cuts_never_fall_inside_a_grapheme(cluster: str) -> None:
    text = cluster * 200
    for piece in split_text(text, 23):
        assert re.fullmatch(f"(?:{re.escape(cluster)})+", piece), ascii(piece)
    head, tail = split_tail(text, 23)
    assert re.fullmatch(f"(?:{re.escape(cluster)})+", tail)
    assert head + tail == text


def test_size_counts_utf16_units_so_emoji_count_twice() -> None:
    assert size("abc") == 3
    assert size("👍") == 2
    assert size("👍🏽") == 4
    assert size("مرحبا") == 5


# --- split_tail ----------------------------------------------------------------------------


def test_split_tail_keeps_whole_sentences_in_the_tail() -> None:
    head, tail = split_tail("One. Two two. Three three three.", 20)
    assert (head, tail) == ("One. Two two.", "Three three three.")


@pytest.mark.parametrize("seed", SEEDS)
def test_split_tail_loses_nothing(seed: int) -> None:
    rng = random.Random(seed)
    text = outgoing.text(rng, 6000)
    head, tail = split_tail(text, 1024)
    assert size(tail) <= 1024
    assert_pieces_keep_the_text([p for p in (head, tail) if p], text, size(text))


# --- shorten -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("limit", [20, 24, 60, 72])
def test_shorten_always_fits(seed: int, limit: int) -> None:
    text = outgoing.text(random.Random(seed), 300)
    short = shorten(text, limit)
    assert size(short) <= limit
    assert "\n" not in short
    if size(" ".join(text.split())) > limit:
        assert short.endswith("…")


def test_shorten_cuts_on_a_word_boundary() -> None:
    assert shorten("Ngicela ubisi olunamafutha amancane", 24) == "Ngicela ubisi…"


# --- every reply, every limit --------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.mark.parametrize("seed", range(300))
def test_random_replies_render_within_every_limit(seed: int) -> None:
    rng = random.Random(seed)
    message = outgoing.message(rng)
    bodies = render(message, TO, reply_to=rng.choice([None, "wamid.Q"]))
    for body in bodies:
        refusal = validate(body)
        assert refusal is None, (refusal.details if refusal else "", body)
        for text in _strings(body):
            # Whatever the field, nothing is blank where Meta needs text.
            assert text == "" or not text.isspace()
    if isinstance(message, TextReply) and bodies:
        texts = [body["text"]["body"] for body in bodies]
        assert_pieces_keep_the_text(texts, message.text, limits.TEXT_BODY)


def _interactive_and_texts(bodies: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    *texts, last = bodies
    assert all(body["type"] == "text" for body in texts)
    return last["interactive"], [body["text"]["body"] for body in texts]


@pytest.mark.parametrize(
    "make",
    [
        lambda text: ButtonsReply(text=text, buttons=(Button(id="/a", title="A"),)),
        lambda text: ListReply(
            text=text, button="B", sections=(ListSection(rows=(ListRow(id="r", title="R"),)),)
        ),
        lambda text: ProductReply(text=text, catalog_id="C", product_retailer_id="S"),
        lambda text: ProductListReply(
            header="H",
            text=text,
            catalog_id="C",
            sections=(ProductSection(product_retailer_ids=("S",)),),
        ),
    ],
    ids=["buttons", "list", "product", "product_list"],
)
def test_a_long_interactive_body_sends_its_start_as_text_first(make: Any) -> None:
    text = " ".join(f"Umusho wesi-{n} uphelile." for n in range(300))
    interactive, texts = _interactive_and_texts(render(make(text), TO))
    body = interactive["body"]["text"]
    assert size(body) <= limits.INTERACTIVE_BODY
    assert body.startswith("Umusho")
    assert body.endswith("uphelile.")
    assert " ".join([*texts, body]) == text


def test_a_long_caption_sends_its_start_as_text_first() -> None:
    caption = " ".join(f"Line {n} of the invoice." for n in range(200))
    *texts, media = render(MediaReply(kind="document", media_id="1", caption=caption), TO)
    assert size(media["document"]["caption"]) <= limits.CAPTION
    assert " ".join([*(t["text"]["body"] for t in texts), media["document"]["caption"]]) == caption


def test_header_and_footer_shorten() -> None:
    reply = ButtonsReply(
        text="x", buttons=(Button(id="/a", title="A"),), header="H " * 50, footer="F " * 50
    )
    (body,) = render(reply, TO)
    assert size(body["interactive"]["header"]["text"]) <= limits.HEADER_TEXT
    assert size(body["interactive"]["footer"]["text"]) <= limits.FOOTER_TEXT


def test_titles_that_shorten_to_the_same_text_stay_distinct() -> None:
    buttons = tuple(Button(id=f"/{n}", title="Ubisi olunamafutha amancane") for n in range(3))
    (body,) = render(ButtonsReply(text="x", buttons=buttons), TO)
    titles = [b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]]
    assert len(set(titles)) == 3
    assert all(size(title) <= limits.BUTTON_TITLE for title in titles)


def test_duplicate_ids_and_padded_ids_are_fixed_not_sent() -> None:
    buttons = (Button(id=" /a ", title="A"), Button(id="/a", title="B"), Button(id="", title="C"))
    (body,) = render(ButtonsReply(text="x", buttons=buttons), TO)
    assert [b["reply"]["id"] for b in body["interactive"]["action"]["buttons"]] == ["/a", "C"]


def test_more_than_ten_buttons_keep_ten_rows() -> None:
    buttons = tuple(Button(id=f"/{n}", title=f"{n}") for n in range(14))
    (body,) = render(ButtonsReply(text="x", buttons=buttons), TO)
    (section,) = body["interactive"]["action"]["sections"]
    assert [row["id"] for row in section["rows"]] == [f"/{n}" for n in range(10)]


def test_multi_product_keeps_thirty_distinct_products_in_ten_sections() -> None:
    sections = tuple(
        ProductSection(title=f"S{s}", product_retailer_ids=tuple(f"P{p}" for p in range(s, s + 5)))
        for s in range(14)
    )
    reply = ProductListReply(header="", text="", catalog_id="C", sections=sections)
    (body,) = render(reply, TO)
    interactive = body["interactive"]
    rendered = interactive["action"]["sections"]
    skus = [item["product_retailer_id"] for s in rendered for item in s["product_items"]]
    assert len(skus) == len(set(skus)) <= limits.PRODUCTS
    assert len(rendered) <= limits.PRODUCT_SECTIONS
    assert interactive["header"]["text"]
    assert interactive["body"]["text"]


def test_a_single_untitled_section_stays_untitled_several_get_titles() -> None:
    one = ListReply(
        text="x", button="b", sections=(ListSection(rows=(ListRow(id="1", title="a"),)),)
    )
    (body,) = render(one, TO)
    assert "title" not in body["interactive"]["action"]["sections"][0]
    two = ListReply(
        text="x",
        button="b",
        sections=(
            ListSection(rows=(ListRow(id="1", title="a"),)),
            ListSection(rows=(ListRow(id="2", title="b"),)),
        ),
    )
    (body,) = render(two, TO)
    assert all(section["title"] for section in body["interactive"]["action"]["sections"])


def test_an_rtl_title_shortens_without_losing_its_direction_marks_at_the_start() -> None:
    title = "\u200f" + "مرحبا بكم في متجرنا الصغير اليوم"
    short = shorten(title, limits.BUTTON_TITLE)
    assert short.startswith("\u200f")
    assert size(short) <= limits.BUTTON_TITLE
    assert all(unicodedata.category(c) != "Cs" for c in short)


def test_long_ids_are_clipped_by_utf16_units_on_a_grapheme_boundary() -> None:
    buttons = (Button(id="👍🏽" * 100, title="A"),)
    (body,) = render(ButtonsReply(text="x", buttons=buttons), TO)
    button_id = body["interactive"]["action"]["buttons"][0]["reply"]["id"]
    assert size(button_id) <= limits.BUTTON_ID
    assert re.fullmatch("(?:👍🏽)+", button_id)
    rows = (ListRow(id="ñ" * 300, title="A"),)
    (body,) = render(ListReply(text="x", button="b", sections=(ListSection(rows=rows),)), TO)
    assert body["interactive"]["action"]["sections"][0]["rows"][0]["id"] == "ñ" * limits.ROW_ID
