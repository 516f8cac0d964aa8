"""Reading amounts, counts, products and orders from the tracker, as the NLU and buttons send
them."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from actions import inputs
from actions.protocol import ActionCall, Tracker
from actions.registry import ActionContext


def context(entities: list[dict[str, Any]] | None = None, **slots: Any) -> ActionContext:
    tracker = Tracker(
        sender_id="27820001111", slots=slots, latest_message={"entities": entities or []}
    )
    call = ActionCall(next_action="action_x", sender_id="27820001111", tracker=tracker)
    return ActionContext(call=call, engine=cast(AsyncEngine, object()))


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        (1599, 1599),  # the NLU's money entity: already cents
        ("1599", 1599),
        ("R15.99", 1599),
        ("15.99", 1599),
        ("R 1 200", 120000),
        ("45,50", 4550),
        ("R15", 1500),
        (15.5, 1550),  # a float is rands: cents are whole
        (0, 0),
        (-5, None),
        (True, None),
        ("fifteen", None),
        ("R15.999", None),
        ("", None),
        (None, None),
    ],
)
def test_amounts_in_cents(raw: Any, cents: int | None) -> None:
    assert inputs.cents(raw) == cents


@pytest.mark.parametrize(
    ("raw", "signed", "count"),
    [
        (5, False, 5),
        ("12", False, 12),
        (3.0, False, 3),
        (0, False, 0),
        ("-3", False, None),
        ("-3", True, -3),
        ("+5", True, 5),
        (2.5, False, None),
        ("5 loaves", False, None),
        (False, False, None),
        (10**9, False, None),
    ],
)
def test_counts(raw: Any, signed: bool, count: int | None) -> None:
    assert inputs.count(raw, signed=signed) == count


def test_ids_from_values_and_list_rows() -> None:
    assert inputs.identifier("order:A-0001", "order") == "A-0001"
    assert inputs.identifier(" A-0001 ", "order") == "A-0001"
    assert inputs.identifier("order:", "order") is None
    assert inputs.number_id("category:12", "category") == 12
    assert inputs.number_id(12, "product") == 12
    assert inputs.number_id("product:12", "category") is None  # another kind's row
    assert inputs.number_id("0", "product") is None
    assert inputs.number_id(True, "product") is None


def test_this_turns_entities_win_over_slots() -> None:
    ctx = context([{"entity": "money", "value": 500}], money=900, unit="bag")
    assert inputs.latest(ctx, "money") == 500
    assert inputs.latest(ctx, "unit") == "bag"
    assert inputs.this_turn(ctx, "unit") is None


def test_which_product_the_turn_names() -> None:
    assert inputs.product_reference(context([{"entity": "product_id", "value": "product:7"}])) == 7
    matcher = {"entity": "product", "value": "bred", "product_id": 9}
    assert inputs.product_reference(context([matcher], product_id=3)) == 9
    # A name typed this turn beats a product_id slot left from an earlier turn.
    typed = context([{"entity": "product", "value": " white  bread "}], product_id=3)
    assert inputs.product_reference(typed) == "white bread"
    assert inputs.product_reference(context(product_id="3")) == 3
    assert inputs.product_reference(context(product="milk")) == "milk"
    assert inputs.product_reference(context(product_id=3), slots=False) is None
    assert inputs.product_reference(context()) is None
