"""The YAML format: what designers write loads as meant; mistakes name the file, line and turn."""

from __future__ import annotations

import pytest

from bot.convtest.format import load_file, load_files
from bot.convtest.loading import FormatError
from tests.unit.convtest.conftest import Write

GOOD = """\
conversations:
  - name: Greeting
    tenant: SHOP-A
    sender: 27831000001
    language: en
    turns:
      - user: yes
        bot:
          text: "Hi!"
      - user: 2
        bot:
          - contains: bread
            buttons: Products
      - voice:
        bot:
          - nothing: true
      - image: is this fresh?
        bot:
          - type: text
      - location: {lat: -26.2, lon: 27.9, name: Soweto}
        sender: "0829990001"
        language: mixed
        bot:
          - list: [Bread]
            to: "27831000001"
"""


def problems(write: Write, text: str) -> list[str]:
    path = write("case.yml", text)
    with pytest.raises(FormatError) as raised:
        load_file(path)
    return list(raised.value.problems)


def test_a_file_loads_as_written(write: Write) -> None:
    [case] = load_file(write("good.yml", GOOD))
    conversation = case.conversation
    assert case.line == 2
    assert conversation.sender == "27831000001"  # a bare YAML number is a phone number
    user, quantity, voice, image, location = conversation.turns
    assert user.user == "yes"  # not YAML 1.1's True
    assert quantity.user == "2"  # a shopper's typed number stays text
    assert user.bot[0].text == "Hi!"  # one reply may be written without the list
    assert quantity.bot[0].contains == ("bread",)
    assert quantity.bot[0].buttons == ("Products",)
    assert voice.action == "voice"
    assert voice.bot[0].nothing
    assert image.image is not None
    assert image.image.caption == "is this fresh?"
    assert location.location is not None
    assert location.location.lat == -26.2
    assert location.sender == "27829990001"  # a local number gets the country code
    assert location.bot[0].rows == ("Bread",)
    assert [t.summary() for t in conversation.turns] == [
        "user: yes",
        "user: 2",
        "voice",
        "image: is this fresh?",
        "location: Soweto",
    ]
    assert case.numbers() == ["27831000001", "27829990001"]


def conversation(turns: str) -> str:
    head = """\
conversations:
  - name: Broken
    tenant: SHOP-A
    sender: "27831000001"
    language: en
    turns:
"""
    return head + turns


def test_a_turn_without_bot_says_how_to_expect_silence(write: Write) -> None:
    [problem] = problems(write, conversation("      - user: hi\n"))
    assert problem.startswith(f"{write('x', '').parent}/case.yml:7: ")
    assert "conversation 1 'Broken', turn 1 (user: hi)" in problem
    assert "`- nothing: true`" in problem


def test_a_turn_needs_exactly_one_action(write: Write) -> None:
    both = conversation("      - user: hi\n        tap: Products\n        bot: {type: text}\n")
    [problem] = problems(write, both)
    assert "turn 1 (user: hi)" in problem
    assert "exactly one of user, tap, location, image, voice (got user and tap)" in problem
    [problem] = problems(write, conversation("      - bot: {type: text}\n"))
    assert "(got none)" in problem


def test_an_unknown_key_suggests_the_known_one(write: Write) -> None:
    text = conversation("      - user: hi\n        bot:\n          - buttonz: [Products]\n")
    [problem] = problems(write, text)
    assert ":9: " in problem
    assert "turn 1 (user: hi), reply 1" in problem
    assert "unknown key 'buttonz' (did you mean 'buttons'?)" in problem


def test_reply_mistakes_are_named(write: Write) -> None:
    text = conversation(
        "      - user: hi\n"
        "        bot:\n"
        "          - matches: '(unclosed'\n"
        "          - nothing: true\n"
        "            text: hi\n"
        "          - to: '27831000001'\n"
        "          - type: voice_note\n"
    )
    found = problems(write, text)
    assert len(found) == 4
    assert "reply 1, matches" in found[0]
    assert "not a valid regular expression" in found[0]
    assert "reply 2" in found[1]
    assert "`nothing: true` cannot be combined with text" in found[1]
    assert "reply 3" in found[2]
    assert "this reply checks nothing" in found[2]
    assert "reply 4, type" in found[3]
    assert "'text'" in found[3]


def test_an_empty_bot_list_is_refused(write: Write) -> None:
    [problem] = problems(write, conversation("      - user: hi\n        bot: []\n"))
    assert "`bot:` is empty" in problem


def test_conversation_keys_are_checked(write: Write) -> None:
    text = """\
conversations:
  - name: No sender
    tenant: SHOP-A
    language: fr
    turns:
      - user: hi
        bot: {type: text}
  - name: Bad number
    tenant: SHOP-A
    sender: "+27 83 phone"
    language: en
    turns: []
"""
    found = problems(write, text)
    assert any("conversation 1 'No sender': missing 'sender'" in p for p in found)
    assert any("conversation 1 'No sender', language" in p and "'mixed'" in p for p in found)
    assert any("conversation 2 'Bad number', sender" in p and "country code" in p for p in found)
    assert any("conversation 2 'Bad number', turns" in p for p in found)


def test_yaml_mistakes_have_line_numbers(write: Write) -> None:
    [problem] = problems(write, "conversations:\n  - name: [unclosed\n")
    assert "case.yml:3: not valid YAML" in problem
    duplicate = conversation(
        "      - user: hi\n        bot: {type: text}\n        bot: {type: list}\n"
    )
    [problem] = problems(write, duplicate)
    assert "case.yml:9: the key 'bot' appears twice" in problem


def test_a_file_without_conversations_is_refused(write: Write) -> None:
    [problem] = problems(write, "shops: []\n")
    assert "expected a top-level `conversations:` list" in problem


def test_problems_from_every_file_come_together(write: Write) -> None:
    one = write("one.yml", "conversations: []\n")
    two = write("two.yml", "nothing here\n")
    with pytest.raises(FormatError) as raised:
        load_files([one, two])
    assert [p.split(":")[0].rsplit("/", 1)[-1] for p in raised.value.problems] == [
        "one.yml",
        "two.yml",
    ]
