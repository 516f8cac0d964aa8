"""Paystack wired to orders: an order placed, a link started, paid on the fake, the signed
webhook posted to the payments router over HTTP, and the order paid exactly once."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.order_machine import Status
from commerce.order_status import change_status
from commerce.orders import get_order
from commerce.payments.errors import GatewayAuthError, OrderNotPayable
from commerce.payments.signatures import paystack_signature
from commerce.tenants import NewTenant, add_tenant

from .conftest import Wiring

pytestmark = pytest.mark.integration


def verify_calls(wiring: Wiring) -> list[str]:
    return [r.path for r in wiring.paystack.requests if r.path.startswith("/transaction/verify/")]


async def test_an_order_is_paid_end_to_end_exactly_once(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    assert link.pay_url is not None
    assert link.pay_url.startswith(f"{wiring.servers.paystack_url}/checkout/")
    assert (link.amount_cents, link.gateway, link.reused) == (order.total_cents, "paystack", False)
    assert link.reference == wiring.code.replace("-", "") + "-A0001-1"  # shop, order, attempt
    initialize = wiring.paystack.requests[0]
    assert (initialize.body["amount"], initialize.body["reference"]) == (5397, link.reference)

    page = await wiring.http.get(link.pay_url)
    assert "ZAR 53.97" in page.text
    access_code = link.pay_url.rsplit("/", 1)[-1]
    paid = await wiring.http.post(f"{wiring.servers.paystack_url}/checkout/{access_code}/success")
    assert paid.status_code == 200
    webhook = wiring.paystack.webhooks[-1]
    assert webhook.status_code == 200
    assert verify_calls(wiring) == [f"/transaction/verify/{link.reference}"]

    paid_order = await get_order(wiring.engine, wiring.tenant.id, order.id)
    assert paid_order.status is Status.PAID
    assert paid_order.paid_at is not None
    [payment] = await wiring.rows(
        "SELECT status, charged_cents, gateway_transaction_id FROM payments WHERE order_id = :o",
        o=order.id,
    )
    txn_id = str(wiring.paystack.transactions[link.reference].id)
    assert tuple(payment) == ("paid", 5397, txn_id)
    events = await wiring.rows(
        "SELECT kind, notify FROM outbox WHERE order_id = :o ORDER BY id", o=order.id
    )
    assert [(kind, sorted(notify)) for kind, notify in events] == [
        ("order.placed", ["merchant"]),
        ("order.paid", ["merchant", "shopper"]),  # both sides are told
    ]
    [actor] = await wiring.rows(
        "SELECT actor FROM order_status_history WHERE order_id = :o AND to_status = 'paid'",
        o=order.id,
    )
    assert actor[0] == "gateway:paystack"

    before = await wiring.snapshot(order.id)
    again = await wiring.paystack.resend()  # Paystack re-sends, byte for byte
    assert again.status_code == 200
    assert await wiring.snapshot(order.id) == before
    assert len(verify_calls(wiring)) == 1  # a replay is refused before asking the API


async def test_concurrent_deliveries_pay_the_order_once(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    await wiring.paystack.pay(link.reference, notify=False)
    data = wiring.paystack.transactions[link.reference].event_data()
    body = wiring.paystack.event_body("charge.success", data)
    answers = await asyncio.gather(*(wiring.paystack.send_webhook(body) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    paid_events = await wiring.count(
        "SELECT count(*) FROM outbox WHERE order_id = :o AND kind = 'order.paid'", o=order.id
    )
    ledger = await wiring.count("SELECT count(*) FROM payment_notifications")
    assert (paid_events, ledger) == (1, 1)
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID


async def test_verify_is_asked_before_marking_paid(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    before = await wiring.snapshot(order.id)
    wiring.paystack.fail_next(503)  # Verify is down: the claim cannot be checked
    first = await wiring.paystack.pay(link.reference)
    assert first is not None
    assert first.status_code == 503  # so Paystack re-sends later
    assert await wiring.snapshot(order.id) == before
    assert verify_calls(wiring) == [f"/transaction/verify/{link.reference}"]

    retry = await wiring.paystack.resend()
    assert retry.status_code == 200
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID


async def test_a_webhook_the_api_does_not_confirm_changes_nothing(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    before = await wiring.snapshot(order.id)
    data = wiring.paystack.transactions[link.reference].event_data() | {"status": "success"}
    answer = await wiring.paystack.send_event("charge.success", data)  # Verify: abandoned
    assert answer.status_code == 503
    assert await wiring.snapshot(order.id) == before


async def test_forged_webhooks_change_nothing(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    await wiring.paystack.pay(link.reference, notify=False)
    body = wiring.paystack.event_body(
        "charge.success", wiring.paystack.transactions[link.reference].event_data()
    )
    before = await wiring.snapshot(order.id)
    audit_before = await wiring.count("SELECT count(*) FROM audit_log")
    forged = await wiring.paystack.send_webhook(body, signature="0" * 128)
    unsigned = await wiring.http.post(wiring.paystack.webhook_url or "", content=body)
    other_key = await wiring.paystack.send_webhook(
        body, signature=paystack_signature(body, "sk_test_someone_else")
    )
    assert [forged.status_code, unsigned.status_code, other_key.status_code] == [401] * 3
    assert unsigned.json() == {"result": "payment.signature_missing"}
    assert await wiring.snapshot(order.id) == before
    assert await wiring.count("SELECT count(*) FROM audit_log") == audit_before
    assert verify_calls(wiring) == []


async def test_an_amount_mismatch_holds_the_order_and_changes_nothing(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    wiring.paystack.transactions[link.reference].amount = 100  # R1.00 charged for R53.97
    before = await wiring.snapshot(order.id)
    answer = await wiring.paystack.pay(link.reference)
    assert answer is not None
    assert answer.status_code == 200  # acknowledged: a re-send cannot change the verdict
    assert await wiring.snapshot(order.id) == before
    [held] = await wiring.rows(
        "SELECT actor, details FROM audit_log WHERE action = 'payment.held' AND subject = :s",
        s=f"order:{order.id}",
    )
    assert held.actor == "gateway:paystack"
    assert held.details["code"] == "payment.amount_mismatch"
    assert "R1.00" in held.details["why"]


async def test_a_payment_that_is_not_ours_is_acknowledged(wiring: Wiring) -> None:
    order = await wiring.order("card")
    before = await wiring.snapshot(order.id)
    data = {"reference": "ELSEWHERE-1-1", "amount": 5397, "currency": "ZAR", "domain": "test"}
    answer = await wiring.paystack.send_event("charge.success", data)
    assert answer.status_code == 200  # a sale made elsewhere on the account: no retries
    assert await wiring.snapshot(order.id) == before
    assert verify_calls(wiring) == []


async def test_an_unknown_shop_is_not_found(wiring: Wiring) -> None:
    body = wiring.paystack.event_body("charge.success", {"reference": "X-1-1"})
    answer = await wiring.paystack.send_webhook(
        body, url=f"{wiring.servers.app_url}/payments/paystack/NO-SUCH-SHOP"
    )
    assert answer.status_code == 404


async def test_the_same_link_is_given_until_a_fresh_one_is_asked(wiring: Wiring) -> None:
    order = await wiring.order("card")
    first = await wiring.service.pay_link(wiring.tenant.id, order.id)
    again = await wiring.service.pay_link(wiring.tenant.id, order.id)
    assert (again.reference, again.pay_url, again.reused) == (first.reference, first.pay_url, True)
    fresh = await wiring.service.pay_link(wiring.tenant.id, order.id, fresh=True)
    assert fresh.reference.endswith("-2")
    assert fresh.pay_url != first.pay_url
    initializations = [r for r in wiring.paystack.requests if r.path == "/transaction/initialize"]
    assert len(initializations) == 2

    cash = await wiring.order("cash")
    with pytest.raises(OrderNotPayable):
        await wiring.service.pay_link(wiring.tenant.id, cash.id)
    await change_status(wiring.engine, wiring.tenant.id, order.id, Status.CANCELLED, actor="system")
    with pytest.raises(OrderNotPayable):
        await wiring.service.pay_link(wiring.tenant.id, order.id)


async def test_a_gateway_refusal_marks_the_attempt_failed(wiring: Wiring) -> None:
    order = await wiring.order("card")
    wiring.paystack.secret_key = "sk_test_rotated"  # our key no longer works
    with pytest.raises(GatewayAuthError, match="check the secret key"):
        await wiring.service.pay_link(wiring.tenant.id, order.id)
    [attempt] = await wiring.rows(
        "SELECT status, error_code, pay_url FROM payments WHERE order_id = :o", o=order.id
    )
    assert tuple(attempt) == ("failed", "payment.gateway_auth", None)


async def test_a_late_payment_for_a_cancelled_order_asks_for_a_refund(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    await change_status(wiring.engine, wiring.tenant.id, order.id, Status.CANCELLED, actor="system")
    answer = await wiring.paystack.pay(link.reference)
    assert answer is not None
    assert answer.status_code == 200
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.CANCELLED
    events = await wiring.rows(
        "SELECT kind, notify, payload FROM outbox WHERE order_id = :o ORDER BY id", o=order.id
    )
    kind, notify, payload = events[-1]
    assert (kind, notify) == ("payment.needs_refund", ["merchant"])
    assert payload["reference"] == link.reference


async def test_a_second_charge_asks_for_a_refund_and_keeps_the_order_paid(
    wiring: Wiring,
) -> None:
    order = await wiring.order("card")
    first = await wiring.service.pay_link(wiring.tenant.id, order.id)
    second = await wiring.service.pay_link(wiring.tenant.id, order.id, fresh=True)
    await wiring.paystack.pay(first.reference)
    await wiring.paystack.pay(second.reference)  # the shopper paid both links
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID
    kinds = [row.kind for row in await wiring.rows("SELECT kind FROM outbox ORDER BY id")]
    assert kinds.count("order.paid") == 1
    assert kinds[-1] == "payment.needs_refund"

    # The merchant refunds the second charge: the order stays paid by the first.
    gateway = wiring.service.gateways.get("paystack", wiring.code)
    refund = await gateway.refund(second.reference)
    assert refund.refund_id is not None
    await wiring.paystack.process_refund(int(refund.refund_id))
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID
    statuses = await wiring.rows(
        "SELECT status FROM payments WHERE order_id = :o ORDER BY attempt", o=order.id
    )
    assert [row.status for row in statuses] == ["paid", "reversed"]


async def test_a_full_refund_by_the_gateway_refunds_the_order(wiring: Wiring) -> None:
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    await wiring.paystack.pay(link.reference)
    gateway = wiring.service.gateways.get("paystack", wiring.code)
    refund = await gateway.refund(link.reference)
    assert refund.refund_id is not None
    await wiring.paystack.process_refund(int(refund.refund_id))
    assert wiring.paystack.webhooks[-1].status_code == 200
    refunded = await get_order(wiring.engine, wiring.tenant.id, order.id)
    assert refunded.status is Status.REFUNDED
    [payment] = await wiring.rows(
        "SELECT status, refunded_cents FROM payments WHERE order_id = :o", o=order.id
    )
    assert tuple(payment) == ("reversed", 5397)


async def test_one_account_wide_webhook_url_finds_the_shop(
    wiring: Wiring, admin_engine: AsyncEngine
) -> None:
    # A shop whose code reads the same in references, and sorts first: it is asked first, and
    # row-level security hides the payment from it.
    decoy = "P-" + wiring.code.replace("-", "")[1:]
    await add_tenant(
        admin_engine, NewTenant(decoy, "Decoy", str(random.randrange(10**11, 10**12)), "t")
    )
    wiring.paystack.webhook_url = f"{wiring.servers.app_url}/payments/paystack"
    order = await wiring.order("card")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    answer = await wiring.paystack.pay(link.reference)
    assert answer is not None
    assert answer.status_code == 200
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID
    elsewhere = await wiring.paystack.send_event(
        "charge.success", {"reference": "NOBODY-A0001-1", "amount": 1, "currency": "ZAR"}
    )
    assert elsewhere.status_code == 200
