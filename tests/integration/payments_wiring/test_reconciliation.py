"""The daily reconciliation of a shop with cash, card and EFT orders in every state that
matters: settled, awaiting, cancelled, paid twice, and held."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commerce.order_machine import Status
from commerce.order_status import change_status
from commerce.reconciliation import Verdict, daily_report

from .conftest import Wiring

pytestmark = pytest.mark.integration
TOTAL = 5397  # every order: 2 bread, 1 milk
STAFF = "staff:*4567"


async def test_orders_against_payments_and_cash(wiring: Wiring) -> None:
    shop = wiring.tenant.id
    cash = await wiring.order("cash")
    for status in (Status.CONFIRMED, Status.READY, Status.DELIVERED):  # paid at the counter
        await change_status(wiring.engine, shop, cash.id, status, actor=STAFF)
    cash_cancelled = await wiring.order("cash")
    await change_status(wiring.engine, shop, cash_cancelled.id, Status.CANCELLED, actor=STAFF)

    card = await wiring.order("card")
    await wiring.paystack.pay((await wiring.service.pay_link(shop, card.id)).reference)
    eft = await wiring.order("eft")
    await wiring.ozow.pay((await wiring.service.pay_link(shop, eft.id)).reference)
    awaiting = await wiring.order("card")
    await wiring.service.pay_link(shop, awaiting.id)
    twice = await wiring.order("card")
    links = [await wiring.service.pay_link(shop, twice.id, fresh=f) for f in (False, True)]
    for link in links:  # the shopper paid both links
        await wiring.paystack.pay(link.reference, fees_cents=150)
    held = await wiring.order("eft")
    reference = (await wiring.service.pay_link(shop, held.id)).reference
    wiring.ozow.find(reference).fields["Amount"] = "50.00"
    await wiring.ozow.pay(reference)

    day = datetime.now(ZoneInfo("Africa/Johannesburg")).date()  # the shop's time zone
    report = await daily_report(wiring.engine, shop, day)

    verdicts = {line.order_number: line.verdict for line in report.lines}
    assert verdicts == {
        cash.number: Verdict.SETTLED,
        cash_cancelled.number: Verdict.CANCELLED,
        card.number: Verdict.SETTLED,
        eft.number: Verdict.SETTLED,
        awaiting.number: Verdict.AWAITING,
        twice.number: Verdict.OVERPAID,
        held.number: Verdict.HELD,
    }
    by_number = {line.order_number: line for line in report.lines}
    assert (by_number[cash.number].cash_cents, by_number[cash.number].gateway_cents) == (TOTAL, 0)
    assert by_number[twice.number].gateway_cents == 2 * TOTAL
    assert len(by_number[twice.number].references.split()) == 2
    totals = report.totals
    assert (totals.orders, totals.exceptions) == (7, 2)
    assert (totals.cash_cents, totals.card_cents, totals.eft_cents) == (TOTAL, 3 * TOTAL, TOTAL)
    assert totals.fees_cents == 2 * 150
    assert (totals.outstanding_cents, totals.refund_due_cents) == (2 * TOTAL, TOTAL)

    as_json = report.to_json()
    assert as_json["day"] == day.isoformat()
    assert as_json["timezone"] == "Africa/Johannesburg"
    assert as_json["totals"]["card_cents"] == 3 * TOTAL
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == 7
    assert {row["verdict"] for row in rows} == {v.value for v in set(verdicts.values())}
    twice_row = next(row for row in rows if row["order_number"] == twice.number)
    assert (twice_row["total_cents"], twice_row["gateway_cents"]) == (str(TOTAL), str(2 * TOTAL))

    yesterday = await daily_report(wiring.engine, shop, day - timedelta(days=1))
    assert yesterday.lines == ()  # the shop was made today
