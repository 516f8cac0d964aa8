"""Ozow adapter against the Ozow fake over HTTP: payment request (API or signed redirect) →
bank → hashed notification → GetTransactionByReference → paid, and what must change nothing."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import httpx
import pytest

from commerce.payments import OzowConfig, OzowGateway, PaymentState, Settlement
from commerce.payments.errors import (
    AmountMismatch,
    GatewayAuthError,
    GatewayRejected,
    GatewayUnavailable,
    GatewayUnreachable,
    InvalidSignature,
    ModeMismatch,
    ReplayedNotification,
)
from tests.integration.payments.conftest import OzowStack, free_port

REF = "SPAZA01-124-1"


def settled(stack: OzowStack) -> Settlement:
    outcome = stack.receiver.last()
    assert isinstance(outcome, Settlement), outcome
    return outcome


def status_calls(stack: OzowStack) -> int:
    return sum(r.path == "/GetTransactionByReference" for r in stack.fake.requests)


async def test_pay_an_order_end_to_end(ozow: OzowStack) -> None:
    ozow.receiver.expect(REF, 8950)
    start = await ozow.gateway.start(REF, 8950)
    assert start.pay_url == f"{ozow.fake_url}/{start.gateway_id}/Secure"
    request = ozow.fake.requests[0]
    assert request.authorized
    assert request.body["GenerateShortUrl"] is True
    assert request.body["Amount"] == "89.50"

    page = await ozow.http.get(start.pay_url)
    assert "Pay R89.50" in page.text
    # The shopper completes at the bank: the browser goes to SuccessUrl, Ozow notifies us.
    done = await ozow.http.post(f"{start.pay_url}/Complete")
    assert done.status_code == 303
    assert done.headers["location"].startswith("https://shop.example/pay/ozow/success?")

    assert ozow.fake.notifications[-1].status_code == 200
    settlement = settled(ozow)
    assert settlement.paid
    assert settlement.notification.gateway_transaction_id == ozow.fake.find(REF).transaction_id
    assert status_calls(ozow) == 1


async def test_signed_redirect_is_accepted_by_the_fake(ozow: OzowStack) -> None:
    config = dataclasses.replace(ozow.gateway.config, use_api=False)
    start = await OzowGateway(config, ozow.http).start(REF, 8950)
    assert start.pay_url is not None
    landing = await ozow.http.get(start.pay_url)  # the fake checks the HashCheck
    assert landing.status_code == 303
    assert landing.headers["location"].endswith("/Secure")
    ozow.receiver.expect(REF, 8950)
    await ozow.fake.pay(REF)
    assert settled(ozow).paid


async def test_pending_then_complete_then_replay(ozow: OzowStack) -> None:
    ozow.receiver.expect(REF, 8950)
    await ozow.gateway.start(REF, 8950)
    await ozow.fake.pay(REF, "Pending")
    assert settled(ozow).state is PaymentState.PENDING
    await ozow.fake.pay(REF, "Complete")
    assert settled(ozow).paid
    replay = await ozow.fake.resend()
    assert replay.status_code == 200
    assert isinstance(ozow.receiver.last(), ReplayedNotification)
    assert status_calls(ozow) == 1  # only the Complete claim was confirmed


@pytest.mark.parametrize("status", ["Cancelled", "Error", "Abandoned", "PendingInvestigation"])
async def test_unpaid_outcomes_need_no_status_call(ozow: OzowStack, status: str) -> None:
    ozow.receiver.expect(REF, 8950)
    await ozow.gateway.start(REF, 8950)
    await ozow.fake.pay(REF, status)  # type: ignore[arg-type]
    settlement = settled(ozow)
    assert not settlement.paid
    assert settlement.notification.event == status
    assert status_calls(ozow) == 0


async def test_forged_notifications_are_refused(ozow: OzowStack) -> None:
    ozow.receiver.expect(REF, 8950)
    await ozow.gateway.start(REF, 8950)
    await ozow.fake.pay(REF, notify=False)
    transaction = ozow.fake.find(REF)
    wrong_key = ozow.fake.notification_fields(transaction, private_key="guessed-key")
    assert (await ozow.fake.notify(wrong_key, url=ozow.notify_url)).status_code == 401
    tampered = ozow.fake.notification_fields(transaction) | {"Amount": "0.01"}
    assert (await ozow.fake.notify(tampered, url=ozow.notify_url)).status_code == 401
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    unhashed = {k: v for k, v in tampered.items() if k != "Hash"}
    answer = await ozow.http.post(ozow.notify_url, content=urlencode(unhashed), headers=headers)
    assert answer.status_code == 401
    assert ozow.receiver.ledger.keys == set()
    assert status_calls(ozow) == 0
    assert isinstance(ozow.receiver.outcomes[0], InvalidSignature)


async def test_wrong_amount_is_refused(ozow: OzowStack) -> None:
    ozow.receiver.expect(REF, 10000)
    await ozow.gateway.start(REF, 8950)
    await ozow.fake.pay(REF)
    assert isinstance(ozow.receiver.last(), AmountMismatch)
    assert ozow.receiver.ledger.keys == set()


async def test_test_mode(ozow: OzowStack) -> None:
    test_config = dataclasses.replace(ozow.gateway.config, is_test=True)
    test_gateway = OzowGateway(test_config, ozow.http)
    await test_gateway.start(REF, 8950)
    assert ozow.fake.find(REF).is_test
    ozow.receiver.expect(REF, 8950)
    # A live account never honours a test payment, even with a valid hash.
    await ozow.fake.pay(REF)
    assert isinstance(ozow.receiver.last(), ModeMismatch)
    # A test account does, and finds it with isTest=true.
    ozow.receiver.gateway = test_gateway
    await ozow.fake.resend()
    assert settled(ozow).paid
    assert ozow.fake.requests[-1].query["isTest"] == "true"


async def test_gateway_refusals(ozow: OzowStack) -> None:
    bad_hash = dataclasses.replace(ozow.gateway.config, private_key="not-the-key")
    with pytest.raises(GatewayRejected, match="HashCheck"):
        await OzowGateway(bad_hash, ozow.http).start(REF, 8950)
    bad_api_key = dataclasses.replace(ozow.gateway.config, api_key="nope")
    with pytest.raises(GatewayAuthError):
        await OzowGateway(bad_api_key, ozow.http).confirm(REF)


async def test_server_error_is_retryable(ozow: OzowStack) -> None:
    ozow.fake.fail_next(503)
    with pytest.raises(GatewayUnavailable) as caught:
        await ozow.gateway.start(REF, 8950)
    assert caught.value.retryable


async def test_unreachable_gateway_is_a_clear_retryable_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    config = OzowConfig(
        site_code="WKLTEST001",
        private_key="k",
        api_key="secret-api-key",
        notify_url="https://shop.example/n",
        api_base_url=closed,
    )
    async with httpx.AsyncClient(timeout=2) as http:
        with pytest.raises(GatewayUnreachable, match="retry later") as caught:
            await OzowGateway(config, http).confirm(REF)
    assert caught.value.retryable
    assert "secret-api-key" not in str(caught.value)
