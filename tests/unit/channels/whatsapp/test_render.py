"""The basic shapes: text, reply buttons, lists (one reply, one body when it fits)."""

from __future__ import annotations

from typing import Any

from channels.whatsapp import limits
from channels.whatsapp.limits import shorten
from channels.whatsapp.render import MENU, render
from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    OutgoingMessage,
    TextReply,
)

TO = "27820001111"


def render_one(message: OutgoingMessage) -> dict[str, Any]:
    (body,) = render(message, TO)
    return body


def test_text() -> None:
    assert render(TextReply(text="Sawubona!"), TO) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "type": "text",
            "text": {"preview_url": False, "body": "Sawubona!"},
        }
    ]


def test_up_to_three_buttons_are_reply_buttons() -> None:
    reply = ButtonsReply(
        text="Choose", buttons=(Button(id="/a", title="A"), Button(id="/b", title="B"))
    )
    interactive = render_one(reply)["interactive"]
    assert interactive["type"] == "button"
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/a", "title": "A"},
        {"id": "/b", "title": "B"},
    ]


def test_four_buttons_degrade_to_a_list() -> None:
    buttons = tuple(Button(id=f"/{n}", title=f"Option {n}") for n in range(4))
    interactive = render_one(ButtonsReply(text="Choose", buttons=buttons))["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == ["/0", "/1", "/2", "/3"]


def test_long_titles_shorten_on_a_word_boundary() -> None:
    reply = ButtonsReply(text="x", buttons=(Button(id="/a", title="Seo re nang le sona kajeno"),))
    title = render_one(reply)["interactive"]["action"]["buttons"][0]["reply"]["title"]
    assert len(title) <= limits.BUTTON_TITLE
    assert title == "Seo re nang le sona…"


def test_lists_keep_ten_rows_in_total_across_sections() -> None:
    sections = tuple(
        ListSection(
            title=f"Section {s}",
            rows=tuple(ListRow(id=f"{s}-{n}", title=f"Item {n}") for n in range(6)),
        )
        for s in range(3)
    )
    action = render_one(ListReply(text="x", button="View", sections=sections))["interactive"][
        "action"
    ]
    assert sum(len(section["rows"]) for section in action["sections"]) == limits.LIST_ROWS
    assert all("title" in section for section in action["sections"])


def test_row_fields_fit_their_limits() -> None:
    row = ListRow(id="p" * 300, title="A very long product name that goes on", description="d" * 90)
    rendered = render_one(
        ListReply(text="x", button="A button label too long", sections=(ListSection(rows=(row,)),))
    )
    action = rendered["interactive"]["action"]
    out = action["sections"][0]["rows"][0]
    assert len(out["id"]) <= limits.ROW_ID
    assert len(out["title"]) <= limits.ROW_TITLE
    assert len(out["description"]) <= limits.ROW_DESCRIPTION
    assert len(action["button"]) <= limits.LIST_BUTTON


def test_text_over_the_limit_is_split_not_cut() -> None:
    bodies = render(TextReply(text="word " * 2000), TO)
    pieces = [body["text"]["body"] for body in bodies]
    assert len(pieces) == 3
    assert all(len(piece) <= limits.TEXT_BODY for piece in pieces)
    assert " ".join(pieces).split() == ["word"] * 2000


def test_shorten_leaves_short_text_alone() -> None:
    assert shorten("Usizo", 20) == "Usizo"


def test_the_list_label_comes_from_the_reply() -> None:
    buttons = tuple(Button(id=f"/{n}", title=f"Into {n}") for n in range(5))
    reply = ButtonsReply(text="Khetha", buttons=buttons, list_button="Bona konke")
    assert render_one(reply)["interactive"]["action"]["button"] == "Bona konke"


def test_without_a_label_the_list_button_is_a_neutral_sign_not_an_english_word() -> None:
    buttons = tuple(Button(id=f"/{n}", title=f"Into {n}") for n in range(5))
    for label in (None, "", "   "):
        reply = ButtonsReply(text="Khetha", buttons=buttons, list_button=label)
        assert render_one(reply)["interactive"]["action"]["button"] == MENU
