"""Paystack adapter against the Paystack fake over HTTP: initialise → pay → signed webhook →
verify → paid, and every way that must change nothing."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from commerce.payments import (
    ExpectedPayment,
    NotificationKind,
    PaymentState,
    PaystackConfig,
    PaystackGateway,
    RefundState,
    Settlement,
    confirm_payment,
)
from commerce.payments.errors import (
    AmountMismatch,
    DuplicateReference,
    GatewayAuthError,
    GatewayUnavailable,
    GatewayUnreachable,
    InvalidSignature,
    MissingSignature,
    ModeMismatch,
    PaymentNotConfirmed,
    PaymentNotFound,
    ReplayedNotification,
)
from tests.integration.payments.conftest import PaystackStack, free_port

REF = "SPAZA01-123-1"


def settled(stack: PaystackStack) -> Settlement:
    outcome = stack.receiver.last()
    assert isinstance(outcome, Settlement), outcome
    return outcome


def verify_calls(stack: PaystackStack) -> int:
    return sum(r.path.startswith("/transaction/verify/") for r in stack.fake.requests)


async def test_pay_an_order_end_to_end(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    start = await paystack.gateway.start(REF, 14990)
    assert start.pay_url == f"{paystack.fake_url}/checkout/{start.gateway_id}"

    page = await paystack.http.get(start.pay_url)
    assert page.status_code == 200
    assert "ZAR 149.90" in page.text
    # The shopper presses "pay" on the checkout page: Paystack sends charge.success.
    paid = await paystack.http.post(f"{paystack.fake_url}/checkout/{start.gateway_id}/success")
    assert paid.status_code == 200

    assert paystack.fake.webhooks[-1].status_code == 200
    settlement = settled(paystack)
    assert settlement.paid
    assert settlement.confirmed is not None
    assert settlement.confirmed.amount_cents == 14990
    assert verify_calls(paystack) == 1
    initialize = paystack.fake.requests[0]
    assert initialize.authorized
    assert initialize.body["amount"] == 14990
    assert initialize.body["currency"] == "ZAR"
    assert (await paystack.gateway.confirm(REF)).state is PaymentState.PAID


async def test_callback_redirect_carries_the_reference(paystack: PaystackStack) -> None:
    config = dataclasses.replace(paystack.gateway.config, callback_url="https://shop.example/done")
    start = await PaystackGateway(config, paystack.http).start(REF, 500)
    answer = await paystack.http.post(f"{paystack.fake_url}/checkout/{start.gateway_id}/failed")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"https://shop.example/done?trxref={REF}&reference={REF}"


async def test_replayed_webhook_changes_nothing(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF)
    replay = await paystack.fake.resend()
    assert replay.status_code == 200  # acknowledged, so Paystack stops retrying
    assert isinstance(paystack.receiver.last(), ReplayedNotification)
    assert paystack.receiver.ledger.keys == {f"paystack:charge.success:{REF}"}
    assert verify_calls(paystack) == 1


async def test_forged_webhooks_are_refused(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF, notify=False)
    body = paystack.fake.event_body("charge.success", paystack.fake.transactions[REF].event_data())
    forged = await paystack.fake.send_webhook(body, signature="0" * 128)
    assert forged.status_code == 401
    unsigned = await paystack.http.post(paystack.fake.webhook_url or "", content=body)
    assert unsigned.status_code == 401
    paystack.fake.secret_key = "sk_test_someone_else"
    other_key = await paystack.fake.send_webhook(body)
    assert other_key.status_code == 401
    kinds = [type(o) for o in paystack.receiver.outcomes]
    assert kinds == [InvalidSignature, MissingSignature, InvalidSignature]
    assert paystack.receiver.ledger.keys == set()
    assert verify_calls(paystack) == 0


async def test_wrong_amount_is_refused(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 20000)  # the order total changed after the link was sent
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF)
    outcome = paystack.receiver.last()
    assert isinstance(outcome, AmountMismatch)
    assert "R149.90" in str(outcome)
    assert "R200.00" in str(outcome)
    assert paystack.receiver.ledger.keys == set()


async def test_fees_passed_to_the_shopper(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF, fees_cents=435)
    confirmed = settled(paystack).confirmed
    assert confirmed is not None
    assert (confirmed.amount_cents, confirmed.requested_amount_cents) == (15425, 14990)


async def test_abandoned_payment_is_found_by_polling(paystack: PaystackStack) -> None:
    await paystack.gateway.start(REF, 14990)
    assert await paystack.fake.pay(REF, "abandoned") is None  # no webhook for it
    status = await confirm_payment(paystack.gateway, ExpectedPayment(REF, 14990))
    assert status.state is PaymentState.ABANDONED


async def test_webhook_during_an_outage_is_retried(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    paystack.fake.fail_next(503)  # the verify call behind the webhook fails
    first = await paystack.fake.pay(REF)
    assert first is not None
    assert first.status_code == 503
    assert paystack.receiver.ledger.keys == set()
    retry = await paystack.fake.resend()
    assert retry.status_code == 200
    assert settled(paystack).paid


async def test_live_account_refuses_test_payments(paystack: PaystackStack) -> None:
    config = dataclasses.replace(paystack.gateway.config, accept_test=False)
    paystack.receiver.gateway = PaystackGateway(config, paystack.http)
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF)
    assert isinstance(paystack.receiver.last(), ModeMismatch)


async def test_webhook_before_the_charge_settles(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    data = paystack.fake.transactions[REF].event_data() | {"status": "success"}
    delivered = await paystack.fake.send_event("charge.success", data)  # verify says abandoned
    assert delivered.status_code == 503
    assert isinstance(paystack.receiver.last(), PaymentNotConfirmed)


async def test_refund_and_its_webhook(paystack: PaystackStack) -> None:
    paystack.receiver.expect(REF, 14990)
    await paystack.gateway.start(REF, 14990)
    await paystack.fake.pay(REF)
    refund = await paystack.gateway.refund(REF, 5000, "one item out of stock")
    assert (refund.state, refund.amount_cents) == (RefundState.PENDING, 5000)
    assert refund.refund_id is not None
    await paystack.fake.process_refund(int(refund.refund_id))
    settlement = settled(paystack)
    assert settlement.notification.kind is NotificationKind.REFUND
    assert settlement.state is PaymentState.REVERSED
    assert (await paystack.gateway.confirm(REF)).state is PaymentState.REVERSED


async def test_gateway_refusals(paystack: PaystackStack) -> None:
    await paystack.gateway.start(REF, 14990)
    with pytest.raises(DuplicateReference):
        await paystack.gateway.start(REF, 14990)
    with pytest.raises(PaymentNotFound):
        await paystack.gateway.confirm("SPAZA01-404-1")
    wrong_key = PaystackConfig(secret_key="sk_test_wrong", base_url=paystack.fake_url)
    with pytest.raises(GatewayAuthError):
        await PaystackGateway(wrong_key, paystack.http).start("SPAZA01-2-1", 100)


async def test_server_error_is_retryable(paystack: PaystackStack) -> None:
    paystack.fake.fail_next(502)
    with pytest.raises(GatewayUnavailable) as caught:
        await paystack.gateway.start(REF, 14990)
    assert caught.value.retryable
    assert (await paystack.gateway.start(REF, 14990)).pay_url


async def test_unreachable_gateway_is_a_clear_retryable_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with httpx.AsyncClient(timeout=2) as http:
        gateway = PaystackGateway(PaystackConfig(secret_key="sk_test_x", base_url=closed), http)
        with pytest.raises(GatewayUnreachable, match="base URL") as caught:
            await gateway.start(REF, 14990)
    assert caught.value.retryable
    assert closed in str(caught.value)
    assert "sk_test_x" not in str(caught.value)
