"""settle / confirm_payment: from a verified notification to "paid", or to nothing at all.

`StubGateway` is a real `PaymentGateway` whose API answer is a fixed `PaymentStatus` (or an
error): the logic under test is the gateway-neutral one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from commerce.payments.base import (
    CustomerHint,
    Notification,
    NotificationKind,
    PaymentGateway,
    PaymentStart,
    PaymentState,
    PaymentStatus,
    RefundResult,
)
from commerce.payments.errors import (
    AmountMismatch,
    CurrencyMismatch,
    GatewayUnreachable,
    ModeMismatch,
    PaymentError,
    PaymentNotConfirmed,
    ReferenceMismatch,
    ReplayedNotification,
)
from commerce.payments.settle import (
    ExpectedPayment,
    MemoryLedger,
    check_payment,
    confirm_payment,
    settle,
)

REF = "SPAZA01-123-1"
ORDER = ExpectedPayment(REF, 14990, "ZAR")
PAID = PaymentStatus("stub", REF, PaymentState.PAID, 14990, "ZAR", False, "success")


@dataclass
class StubGateway:
    answer: PaymentStatus | PaymentError = PAID
    test_ok: bool = False
    confirms: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "stub"

    @property
    def accepts_test_payments(self) -> bool:
        return self.test_ok

    async def start(
        self,
        order_ref: str,
        amount_cents: int,
        currency: str = "ZAR",
        customer_hint: CustomerHint | None = None,
    ) -> PaymentStart:
        return PaymentStart("stub", order_ref, amount_cents, currency, "https://pay/stub")

    def verify_notification(
        self, raw_body: bytes, headers: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> Notification:
        raise NotImplementedError

    async def confirm(self, reference: str) -> PaymentStatus:
        self.confirms.append(reference)
        if isinstance(self.answer, PaymentError):
            raise self.answer
        return self.answer

    async def refund(
        self, reference: str, amount_cents: int | None = None, reason: str = ""
    ) -> RefundResult:
        raise NotImplementedError


def note(**changes: object) -> Notification:
    base = Notification(
        gateway="stub",
        kind=NotificationKind.PAYMENT,
        event="success",
        reference=REF,
        state=PaymentState.PAID,
        amount_cents=14990,
        currency="ZAR",
        is_test=False,
        dedupe_key=f"stub:{REF}:paid",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_stub_is_a_payment_gateway() -> None:
    assert isinstance(StubGateway(), PaymentGateway)


async def test_paid_after_confirmation() -> None:
    stub, ledger = StubGateway(), MemoryLedger()
    settlement = await settle(stub, note(), ORDER, ledger)
    assert settlement.paid
    assert settlement.confirmed == PAID
    assert stub.confirms == [REF]
    assert ledger.keys == {f"stub:{REF}:paid"}


async def test_replay_changes_nothing_and_skips_the_api() -> None:
    stub, ledger = StubGateway(), MemoryLedger()
    await settle(stub, note(), ORDER, ledger)
    with pytest.raises(ReplayedNotification) as caught:
        await settle(stub, note(), ORDER, ledger)
    assert caught.value.dedupe_key == f"stub:{REF}:paid"
    assert stub.confirms == [REF]


async def test_concurrent_duplicate_loses_the_claim() -> None:
    ledger = MemoryLedger()

    class Racing(StubGateway):
        async def confirm(self, reference: str) -> PaymentStatus:
            ledger.keys.add(f"stub:{REF}:paid")  # the twin committed meanwhile
            return await super().confirm(reference)

    with pytest.raises(ReplayedNotification, match="concurrently"):
        await settle(Racing(), note(), ORDER, ledger)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (dataclasses.replace(PAID, amount_cents=1000), AmountMismatch),
        (dataclasses.replace(PAID, currency="NGN"), CurrencyMismatch),
        (dataclasses.replace(PAID, reference="OTHER-1-1"), ReferenceMismatch),
        (dataclasses.replace(PAID, is_test=True), ModeMismatch),
        (
            dataclasses.replace(PAID, state=PaymentState.PENDING, gateway_status="ongoing"),
            PaymentNotConfirmed,
        ),
    ],
)
async def test_confirmation_must_fit_the_order(
    answer: PaymentStatus, error: type[Exception]
) -> None:
    ledger = MemoryLedger()
    with pytest.raises(error):
        await settle(StubGateway(answer), note(), ORDER, ledger)
    assert ledger.keys == set()  # nothing recorded: nothing changed


@pytest.mark.parametrize(
    ("state", "retryable"),
    [
        (PaymentState.PENDING, True),
        (PaymentState.ABANDONED, True),  # Paystack's word for "not paid yet"
        (PaymentState.REVERSED, False),
        (PaymentState.FAILED, False),
    ],
)
async def test_unconfirmed_is_retryable_while_it_can_change(
    state: PaymentState, retryable: bool
) -> None:
    answer = dataclasses.replace(PAID, state=state, gateway_status=state.value)
    with pytest.raises(PaymentNotConfirmed) as caught:
        await settle(StubGateway(answer), note(), ORDER, MemoryLedger())
    assert caught.value.retryable is retryable


async def test_notified_amount_too_small_is_refused_before_the_api() -> None:
    stub = StubGateway()
    with pytest.raises(AmountMismatch, match=r"R1\.00"):
        await settle(stub, note(amount_cents=100), ORDER, MemoryLedger())
    assert stub.confirms == []


async def test_notified_amount_must_equal_the_charge() -> None:
    with pytest.raises(AmountMismatch, match="API"):
        await settle(StubGateway(), note(amount_cents=20000), ORDER, MemoryLedger())


async def test_fees_passed_to_the_shopper_are_fine() -> None:
    with_fees = dataclasses.replace(PAID, amount_cents=15425, requested_amount_cents=14990)
    settlement = await settle(
        StubGateway(with_fees), note(amount_cents=15425), ORDER, MemoryLedger()
    )
    assert settlement.paid


def test_charge_below_the_ask_is_refused() -> None:
    short = dataclasses.replace(PAID, amount_cents=14000, requested_amount_cents=14990)
    with pytest.raises(AmountMismatch):
        check_payment(ORDER, short, accepts_test=False)


async def test_retryable_failure_keeps_the_resend_usable() -> None:
    ledger = MemoryLedger()
    down = StubGateway(GatewayUnreachable("down", gateway="stub"))
    with pytest.raises(GatewayUnreachable):
        await settle(down, note(), ORDER, ledger)
    assert (await settle(StubGateway(), note(), ORDER, ledger)).paid


async def test_notification_for_another_order() -> None:
    with pytest.raises(ReferenceMismatch):
        await settle(StubGateway(), note(reference="SPAZA01-999-1"), ORDER, MemoryLedger())


async def test_test_mode_notification_on_a_live_account() -> None:
    with pytest.raises(ModeMismatch, match="never honour"):
        await settle(StubGateway(), note(is_test=True), ORDER, MemoryLedger())
    test_account = StubGateway(dataclasses.replace(PAID, is_test=True), test_ok=True)
    assert (await settle(test_account, note(is_test=True), ORDER, MemoryLedger())).paid


async def test_failed_states_need_no_confirmation() -> None:
    stub = StubGateway()
    cancelled = note(state=PaymentState.CANCELLED, dedupe_key="stub:x:cancelled", amount_cents=1)
    settlement = await settle(stub, cancelled, ORDER, MemoryLedger())
    assert settlement.state is PaymentState.CANCELLED
    assert not settlement.paid
    assert settlement.confirmed is None
    assert stub.confirms == []


async def test_other_events_are_ignored_without_a_record() -> None:
    ledger = MemoryLedger()
    other = note(kind=NotificationKind.OTHER, state=PaymentState.UNKNOWN, reference="")
    settlement = await settle(StubGateway(), other, ORDER, ledger)
    assert settlement.state is PaymentState.UNKNOWN
    assert ledger.keys == set()


async def test_confirm_payment_for_polling() -> None:
    abandoned = dataclasses.replace(PAID, state=PaymentState.ABANDONED, gateway_status="abandoned")
    assert (await confirm_payment(StubGateway(abandoned), ORDER)).state is PaymentState.ABANDONED
    with pytest.raises(AmountMismatch):
        await confirm_payment(StubGateway(dataclasses.replace(PAID, amount_cents=1)), ORDER)
