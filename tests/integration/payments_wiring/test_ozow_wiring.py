"""Ozow wired to orders: an EFT order, a payment request with its HashCheck, the bank on the
fake, the hashed notification posted to the shop's NotifyUrl, the status API asked, and the
order paid exactly once."""

from __future__ import annotations

import pytest

from commerce.order_machine import Status
from commerce.orders import get_order

from .conftest import Wiring

pytestmark = pytest.mark.integration


def status_calls(wiring: Wiring) -> int:
    return sum(r.path == "/GetTransactionByReference" for r in wiring.ozow.requests)


async def test_an_eft_order_is_paid_end_to_end_exactly_once(wiring: Wiring) -> None:
    order = await wiring.order("eft")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    assert link.pay_url is not None
    assert link.pay_url.endswith("/Secure")
    assert link.gateway == "ozow"
    request = wiring.ozow.requests[0]
    assert request.authorized
    assert (request.body["Amount"], request.body["TransactionReference"]) == (
        "53.97",
        link.reference,
    )
    # Each shop has its own NotifyUrl, and its code travels in Optional1.
    assert request.body["NotifyUrl"] == (
        f"{wiring.servers.app_url}/payments/ozow/{wiring.code}/notify"
    )
    assert request.body["Optional1"] == wiring.code

    page = await wiring.http.get(link.pay_url)
    assert "Pay R53.97" in page.text
    done = await wiring.http.post(f"{link.pay_url}/Complete")
    assert done.status_code == 303  # the browser goes to the "back to WhatsApp" page
    back = await wiring.http.get(done.headers["location"])
    assert (back.status_code, "go back to WhatsApp" in back.text) == (200, True)
    assert wiring.ozow.notifications[-1].status_code == 200
    assert status_calls(wiring) == 1

    paid = await get_order(wiring.engine, wiring.tenant.id, order.id)
    assert paid.status is Status.PAID
    [payment] = await wiring.rows(
        "SELECT status, gateway_transaction_id FROM payments WHERE order_id = :o", o=order.id
    )
    assert tuple(payment) == ("paid", wiring.ozow.find(link.reference).transaction_id)
    events = await wiring.rows(
        "SELECT kind, notify FROM outbox WHERE order_id = :o ORDER BY id", o=order.id
    )
    assert [(kind, sorted(notify)) for kind, notify in events][-1] == (
        "order.paid",
        ["merchant", "shopper"],
    )
    [actor] = await wiring.rows(
        "SELECT actor FROM order_status_history WHERE order_id = :o AND to_status = 'paid'",
        o=order.id,
    )
    assert actor[0] == "gateway:ozow"

    before = await wiring.snapshot(order.id)
    again = await wiring.ozow.resend()  # Ozow may send duplicates
    assert again.status_code == 200
    assert await wiring.snapshot(order.id) == before
    assert status_calls(wiring) == 1


async def test_pending_then_complete(wiring: Wiring) -> None:
    order = await wiring.order("eft")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    await wiring.ozow.pay(link.reference, "Pending")
    [pending] = await wiring.rows("SELECT status FROM payments WHERE order_id = :o", o=order.id)
    assert pending.status == "pending"
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PLACED
    await wiring.ozow.pay(link.reference, "Complete")
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PAID
    late = await wiring.ozow.notify(
        wiring.ozow.notification_fields(wiring.ozow.find(link.reference)) | {"Status": "Pending"}
    )
    assert late.status_code == 401  # changed fields no longer match the Hash


async def test_a_forged_notification_changes_nothing(wiring: Wiring) -> None:
    order = await wiring.order("eft")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    transaction = wiring.ozow.find(link.reference)
    transaction.status = "Complete"
    before = await wiring.snapshot(order.id)
    forged = wiring.ozow.notification_fields(transaction, private_key="someone-elses-key")
    answer = await wiring.ozow.notify(forged)
    assert answer.status_code == 401
    unhashed = {
        k: v for k, v in wiring.ozow.notification_fields(transaction).items() if k != "Hash"
    }
    assert (await wiring.ozow.notify(unhashed)).status_code == 401
    assert await wiring.snapshot(order.id) == before
    assert status_calls(wiring) == 0


async def test_an_amount_mismatch_holds_the_order(wiring: Wiring) -> None:
    order = await wiring.order("eft")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    wiring.ozow.find(link.reference).fields["Amount"] = "1.00"  # paid R1.00 at the bank
    before = await wiring.snapshot(order.id)
    answer = await wiring.ozow.pay(link.reference)
    assert answer is not None
    assert answer.status_code == 200
    assert await wiring.snapshot(order.id) == before
    held = await wiring.count(
        "SELECT count(*) FROM audit_log WHERE action = 'payment.held' AND subject = :s",
        s=f"order:{order.id}",
    )
    assert held == 1


async def test_a_cancelled_payment_tells_the_shopper(wiring: Wiring) -> None:
    order = await wiring.order("eft")
    link = await wiring.service.pay_link(wiring.tenant.id, order.id)
    answer = await wiring.ozow.pay(link.reference, "Cancelled")
    assert answer is not None
    assert answer.status_code == 200
    assert (await get_order(wiring.engine, wiring.tenant.id, order.id)).status is Status.PLACED
    [payment] = await wiring.rows("SELECT status FROM payments WHERE order_id = :o", o=order.id)
    assert payment.status == "cancelled"
    kind, notify = (await wiring.rows("SELECT kind, notify FROM outbox ORDER BY id"))[-1]
    assert (kind, notify) == ("payment.failed", ["shopper"])
    # A new link is a new attempt (the cancelled one is not offered again).
    again = await wiring.service.pay_link(wiring.tenant.id, order.id)
    assert (again.reused, again.reference.endswith("-2")) == (False, True)
