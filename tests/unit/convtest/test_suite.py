"""Checks across files and the shops fixture: each mistake is named with its fix."""

from __future__ import annotations

import pytest

from bot.convtest.format import FENCE_NUMBER, conversation_files, load_files
from bot.convtest.loading import FormatError
from bot.convtest.responses import ResponseTexts
from bot.convtest.shops import load_shops
from bot.convtest.suite import check_suite
from bot.settings import Settings
from tests.conftest import ROOT
from tests.unit.convtest.conftest import SHOPS, Write

RESPONSES = ResponseTexts.from_domain(ROOT / "domain.yml")


def one(name: str, sender: str, *, staff: str = "", extra: str = "") -> str:
    return f"""\
  - name: {name}
    tenant: SHOP-A
    sender: "{sender}"
    language: en
{staff}    turns:
      - user: hi
        bot:
          - type: buttons
{extra}"""


def suite_problems(write: Write, *conversations: str) -> list[str]:
    path = write("suite.yml", "conversations:\n" + "".join(conversations))
    shops = load_shops(write("shops.yml", SHOPS))
    with pytest.raises(FormatError) as raised:
        check_suite(load_files([path]), shops, RESPONSES)
    return list(raised.value.problems)


def test_an_unknown_tenant_lists_the_shops(write: Write) -> None:
    text = one("Lost", "27831000001").replace("SHOP-A", "SHOP-Z")
    [problem] = suite_problems(write, text)
    assert "suite.yml:2: conversation 1 'Lost': unknown tenant 'SHOP-Z'" in problem
    assert "the shops are SHOP-A" in problem


def test_the_staff_flag_must_match_the_shops_staff(write: Write) -> None:
    found = suite_problems(
        write,
        one("Staff without flag", "27829990001"),
        one("Flag without staff", "27831000002", staff="    staff: true\n"),
    )
    assert "27829990001 is a staff number of SHOP-A; add `staff: true`" in found[0]
    assert "`staff: true` but 27831000002 is not a staff number of SHOP-A" in found[1]


def test_two_conversations_may_not_write_from_one_number(write: Write) -> None:
    staff_turn = "      - user: ready\n        sender: '27829990002'\n        bot: {type: text}\n"
    found = suite_problems(
        write,
        one("First", "27831000003", extra=staff_turn),
        one("Second", "27831000003", extra=staff_turn),
    )
    assert len(found) == 2
    assert "conversation 2 'Second': 27831000003 also writes to SHOP-A in 'First'" in found[0]
    assert "27829990002 also writes to SHOP-A in 'First'" in found[1]
    assert "give each conversation its own numbers" in found[0]


def test_the_fence_number_is_reserved(write: Write) -> None:
    [problem] = suite_problems(write, one("Fence", FENCE_NUMBER))
    assert "reserved for the runner" in problem


def test_an_unknown_response_suggests_a_known_one(write: Write) -> None:
    text = one("Typo", "27831000004").replace("type: buttons", "response: utter_gret")
    [problem] = suite_problems(write, text)
    assert "turn 1, reply 1: response 'utter_gret' is not in the domain" in problem
    assert "(did you mean 'utter_greet'?)" in problem


def test_shops_fixture_mistakes_are_named(write: Write) -> None:
    text = """\
shops:
  - code: SHOP-A
    name: Spaza A
    phone_number_id: "900000000000011"
    token: t
    categories:
      - {key: bread, names: {zu: Isinkwa}}
    products:
      - {sku: BREAD, names: {en: Bread}, price: 16.999}
      - {sku: MILK, names: {en: Milk}, price: 21.99, category: dairy}
      - {sku: EGGS, names: {en: Eggs}, price: 24.99, stok: 3}
  - code: SHOP-B
    name: Tuck B
    phone_number_id: "900000000000011"
    token: t
"""
    with pytest.raises(FormatError) as raised:
        load_shops(write("shops.yml", text))
    found = raised.value.problems
    assert any("shop 1 'SHOP-A', category 1 'bread'" in p and "English name" in p for p in found)
    assert any("product 1 'BREAD', price" in p and "2 decimal places" in p for p in found)
    assert any("product 3 'EGGS'" in p and "unknown key 'stok'" in p for p in found)
    assert any("'stock'" in p for p in found)
    assert len(found) == 3  # the unseen category and the shared number wait for these fixes


def test_shops_fixture_cross_checks(write: Write) -> None:
    text = """\
shops:
  - code: SHOP-A
    name: Spaza A
    phone_number_id: "900000000000011"
    token: t
    products:
      - {sku: MILK, names: {en: Milk}, price: 21.99, category: dairy}
  - code: SHOP-B
    name: Tuck B
    phone_number_id: "900000000000011"
    token: t
"""
    with pytest.raises(FormatError) as raised:
        load_shops(write("shops.yml", text))
    [category] = raised.value.problems
    assert "shops.yml:2: shop 1 'SHOP-A'" in category
    assert "category 'dairy', which is not under categories" in category
    fixed = text.replace(", category: dairy", "")
    with pytest.raises(FormatError) as raised:
        load_shops(write("shops.yml", fixed))
    [number] = raised.value.problems
    assert "phone_number_id '900000000000011' is used by two shops" in number


def test_the_projects_conversations_load_and_check_together() -> None:
    """Every file in tests/conversations, against the real domain: fast, no services."""
    directory = ROOT / "tests" / "conversations"
    shops_path = directory / "shops.yml"
    cases = load_files(conversation_files([directory], exclude=[shops_path]))
    check_suite(cases, load_shops(shops_path), ResponseTexts.from_domain(Settings().domain_file))
    assert len(cases) >= 8
