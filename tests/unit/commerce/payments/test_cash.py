"""Cash on delivery or collection: the interface with nothing behind it, and exact change."""

from __future__ import annotations

import pytest

from commerce.payments import CashGateway, PaymentGateway, record_cash
from commerce.payments.base import PaymentState, RefundState
from commerce.payments.errors import AmountMismatch, NotificationRejected, PaymentInputError


def test_cash_is_a_payment_gateway() -> None:
    assert isinstance(CashGateway(), PaymentGateway)


async def test_start_gives_no_link() -> None:
    start = await CashGateway().start("SPAZA01-5-1", 4550)
    assert (start.gateway, start.pay_url, start.amount_cents) == ("cash", None, 4550)


async def test_cash_is_owed_until_recorded() -> None:
    status = await CashGateway().confirm("SPAZA01-5-1")
    assert status.state is PaymentState.PENDING
    assert not status.state.is_final


def test_no_notifications() -> None:
    with pytest.raises(NotificationRejected, match="record_cash"):
        CashGateway().verify_notification(b"{}", {})


@pytest.mark.parametrize(
    ("total", "tendered", "change"), [(4550, 5000, 450), (4550, 4550, 0), (1, 20000, 19999)]
)
def test_change_is_exact(total: int, tendered: int, change: int) -> None:
    receipt = record_cash("SPAZA01-5-1", total, tendered)
    assert receipt.change_cents == change
    assert receipt.dedupe_key == "cash:SPAZA01-5-1"


def test_short_cash_is_refused_with_what_is_missing() -> None:
    with pytest.raises(AmountMismatch, match=r"take R5\.50 more"):
        record_cash("SPAZA01-5-1", 4550, 4000)


@pytest.mark.parametrize("tendered", [-1, 1.5, True])
def test_tendered_must_be_whole_cents(tendered: object) -> None:
    with pytest.raises(PaymentInputError, match="tendered_cents"):
        record_cash("SPAZA01-5-1", 4550, tendered)  # type: ignore[arg-type]


async def test_refund_is_handed_back() -> None:
    result = await CashGateway().refund("SPAZA01-5-1", 4550)
    assert result.state is RefundState.PROCESSED
