"""The order machine as data: transitions, guards and who hears about a change."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest

from commerce.order_machine import FINAL, TRANSITIONS, OrderFacts, Status, notify_for, refusal

ROOT = Path(__file__).resolve().parents[3]


def facts(
    status: Status, *, paid: bool = False, method: str = "cash", fulfilment: str = "delivery"
) -> OrderFacts:
    return OrderFacts(status, paid, method, fulfilment)


def test_the_main_line_is_allowed_step_by_step() -> None:
    line = [
        Status.PLACED,
        Status.CONFIRMED,
        Status.PAID,
        Status.READY,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ]
    paid = False
    for current, wanted in itertools.pairwise(line):
        assert refusal(facts(current, paid=paid, method="card"), wanted) is None, wanted
        paid = paid or wanted is Status.PAID


@pytest.mark.parametrize("final", sorted(FINAL - {Status.DELIVERED}))
def test_cancelled_and_refunded_are_final(final: Status) -> None:
    assert TRANSITIONS[final] == frozenset()
    for wanted in Status:
        assert refusal(facts(final), wanted) is not None


@pytest.mark.parametrize(
    ("order", "wanted", "reason"),
    [
        (facts(Status.OUT_FOR_DELIVERY, paid=True), Status.CANCELLED, "refund it instead"),
        (facts(Status.DELIVERED, paid=True), Status.CANCELLED, "can become refunded"),
        (facts(Status.DELIVERED), Status.CANCELLED, "from delivered it can become refunded"),
        (facts(Status.PAID, paid=True), Status.CANCELLED, "refund it instead"),
        (facts(Status.READY), Status.REFUNDED, "nothing was paid"),
        (facts(Status.CONFIRMED, method="eft"), Status.READY, "eft and is not paid yet"),
        (facts(Status.READY, fulfilment="collection"), Status.OUT_FOR_DELIVERY, "for collection"),
        (facts(Status.READY), Status.DELIVERED, "goes out_for_delivery first"),
        (facts(Status.PLACED), Status.DELIVERED, "from placed it can become cancelled"),
    ],
)
def test_refusals_say_why(order: OrderFacts, wanted: Status, reason: str) -> None:
    found = refusal(order, wanted)
    assert found is not None
    assert reason in found


def test_cash_orders_are_packed_before_payment_and_collected_at_the_counter() -> None:
    assert refusal(facts(Status.CONFIRMED), Status.READY) is None
    assert refusal(facts(Status.READY, fulfilment="collection"), Status.DELIVERED) is None
    assert refusal(facts(Status.OUT_FOR_DELIVERY), Status.CANCELLED) is None


def test_each_side_hears_about_what_the_other_did() -> None:
    assert notify_for("customer:7") == ("merchant",)
    assert notify_for("staff:*4567") == ("shopper",)
    assert notify_for("gateway:paystack") == ("shopper", "merchant")
    assert notify_for("system") == ("shopper", "merchant")


def test_the_statuses_match_the_migrations_check_constraint() -> None:
    path = ROOT / "commerce" / "migrations" / "versions" / "0006_orders.py"
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(status.value for status in Status) == module.STATUSES
    assert set(TRANSITIONS) == set(Status)
