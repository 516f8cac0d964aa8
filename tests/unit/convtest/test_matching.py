"""Each kind of expectation passes on the right reply and fails, with a diff, on a wrong one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.convtest.format import Turn
from bot.convtest.matching import Expectations, match_turn
from bot.convtest.received import Choice, Received
from bot.convtest.responses import ResponseTexts
from tests.conftest import ROOT

SHOPPER, STAFF = "27831000001", "27829990001"
RESPONSES = ResponseTexts.from_domain(ROOT / "domain.yml")
GREET_EN = "Hi! Welcome to Spaza A. What would you like?"
GREET_ZU = "Sawubona! Siyakwamukela ku-Spaza A."

BUTTONS = Received(
    SHOPPER,
    "buttons",
    GREET_EN,
    buttons=(Choice("/browse_catalog", "Products"), Choice("/help", "Help")),
)
LIST = Received(
    SHOPPER, "list", "Our products:", rows=(Choice("product:1", "Bread"), Choice("p:2", "Milk"))
)
TEMPLATE = Received(SHOPPER, "template", "", template="order_ready")
FREE = Received(SHOPPER, "text", "Thanks")


def turn(*bot: dict[str, Any], **action: Any) -> Turn:
    return Turn.model_validate({**(action or {"user": "hi"}), "bot": list(bot)})


def problems(t: Turn, *got: Received, language: str | None = "en") -> list[str]:
    context = Expectations(SHOPPER, SHOPPER, language, RESPONSES)
    return ["\n".join(m.lines()) for m in match_turn(t, got, context)]


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ({"text": GREET_EN}, BUTTONS),
        ({"contains": ["Welcome", "Spaza A"]}, BUTTONS),
        ({"matches": r"^Hi! .* like\?$"}, BUTTONS),
        ({"buttons": ["Products", "Help"]}, BUTTONS),
        ({"list": ["Bread", "Milk"]}, LIST),
        ({"type": "list"}, LIST),
        ({"template": "order_ready"}, TEMPLATE),
        ({"response": "utter_greet"}, BUTTONS),
    ],
)
def test_each_kind_passes_on_the_right_reply(expected: dict[str, Any], got: Received) -> None:
    assert problems(turn(expected), got) == []


@pytest.mark.parametrize(
    ("expected", "got", "diff"),
    [
        (
            {"text": "Hi!"},
            BUTTONS,
            f'reply 1, text:\n  - expected: "Hi!"\n  + got:      "{GREET_EN}"',
        ),
        ({"contains": ["Welcome", "Sawubona"]}, BUTTONS, '- expected: "Sawubona"'),
        ({"matches": "^Sawubona"}, BUTTONS, "- expected: /^Sawubona/"),
        (
            {"buttons": ["Products", "My cart"]},
            BUTTONS,
            "- expected: [Products, My cart]\n  + got:      [Products, Help]",
        ),
        ({"buttons": ["Products"]}, LIST, '+ got:      no buttons (list "Our products:"'),
        ({"list": ["Milk", "Bread"]}, LIST, "+ got:      [Bread, Milk]"),
        ({"list": ["Bread"]}, BUTTONS, "+ got:      no list (buttons"),
        ({"type": "text"}, LIST, "reply 1, type:\n  - expected: text\n  + got:      list"),
        ({"template": "order_paid"}, TEMPLATE, "+ got:      order_ready"),
        ({"template": "order_paid"}, LIST, '+ got:      list "Our products:"'),
        ({"response": "utter_help"}, BUTTONS, "+ got:      utter_greet (en): "),
        ({"response": "utter_help"}, FREE, '- expected: utter_help (en)\n  + got:      "Thanks"'),
    ],
)
def test_each_kind_fails_on_a_wrong_reply(
    expected: dict[str, Any], got: Received, diff: str
) -> None:
    [problem] = problems(turn(expected), got)
    assert diff in problem


def test_a_response_in_another_language_fails() -> None:
    zulu = Received(SHOPPER, "buttons", GREET_ZU)
    [problem] = problems(turn({"response": "utter_greet"}), zulu)
    assert "- expected: utter_greet (en)" in problem
    assert "+ got:      utter_greet (zu)" in problem
    assert problems(turn({"response": "utter_greet"}), zulu, language=None) == []  # mixed


def test_replies_must_be_in_the_conversations_language() -> None:
    zulu = Received(SHOPPER, "buttons", GREET_ZU)
    [problem] = problems(turn({"type": "buttons"}), zulu)
    assert problem.startswith(
        "reply 1, language:\n  - expected: en\n  + got:      utter_greet (zu)"
    )
    assert problems(turn({"type": "buttons"}), zulu, language="zu") == []
    assert problems(turn({"type": "buttons"}), zulu, language=None) == []
    free_text = Received(SHOPPER, "text", "Thank you, Thandi")  # no response: not checked
    assert problems(turn({"type": "text"}), free_text) == []


def test_a_missing_reply_and_an_extra_reply_fail() -> None:
    [missing] = problems(turn({"type": "buttons"}, {"type": "list"}), BUTTONS)
    assert missing == "reply 2:\n  - expected: {type: list}\n  + got:      nothing"
    [extra] = problems(turn({"type": "buttons"}), BUTTONS, LIST)
    assert extra.startswith("reply 2:\n  - expected: nothing more\n  + got:      list")


def test_nothing_means_silence() -> None:
    assert problems(turn({"nothing": True})) == []
    [problem] = problems(turn({"nothing": True}), BUTTONS)
    assert "reply 1:\n  - expected: nothing" in problem


def test_replies_to_others_are_matched_per_recipient() -> None:
    to_staff = Received(STAFF, "text", "Thandi wants to talk to a person")
    expected = turn({"nothing": True}, {"to": STAFF, "contains": "talk to a person"})
    assert problems(expected, to_staff) == []
    [problem] = problems(turn({"nothing": True}), to_staff)
    assert problem.startswith(f"reply to {STAFF} 1:\n  - expected: nothing")
    wrong = Received(STAFF, "text", "Order 12 is ready")
    [problem] = problems(expected, wrong)
    assert f"reply to {STAFF} 1, text contains" in problem


def test_every_difference_of_one_reply_is_listed() -> None:
    found = problems(turn({"type": "text", "text": "Hi!", "buttons": ["Help"]}), BUTTONS)
    assert [p.split(":")[0] for p in found] == [
        "reply 1, type",
        "reply 1, text",
        "reply 1, buttons",
    ]
