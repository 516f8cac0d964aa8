"""POPIA: consent, opt-out, export, erasure, and an audit log nobody can rewrite."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import audit, carts, consent, message_log
from commerce.customers import customer_for
from commerce.db import tenant_transaction
from commerce.errors import ErasureBlocked, NotFound
from commerce.order_status import change_status
from commerce.orders import Checkout, place_order
from commerce.privacy import erase_customer, export_customer

from .conftest import Shop, message_id, shopper

pytestmark = pytest.mark.integration
OPERATOR = "operator:privacy-desk"


async def _log_message(engine: AsyncEngine, shop: Shop, who: str) -> str:
    reference = message_id()
    await message_log.record(
        engine,
        shop.id,
        message_log.LoggedMessage("in", reference, "1234567", who, "text", "received", 12),
    )
    return reference


async def _delivered_order(engine: AsyncEngine, shop: Shop, who: str) -> str:
    await carts.add_item(engine, shop.id, who, shop.products["BREAD"], 1)
    request = Checkout(who, message_id(), fulfilment="delivery", delivery_address="7 Khumalo St")
    order = (await place_order(engine, shop.id, request)).order
    for status in ("confirmed", "ready", "out_for_delivery", "delivered"):
        await change_status(engine, shop.id, order.id, status, actor="staff:*4567")
    return order.number


async def test_consent_is_recorded_with_time_version_and_channel(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    await consent.record_consent(
        app_engine,
        shop.id,
        who,
        "messages",
        granted=True,
        text_version="2026-11",
        evidence="wamid.1",
    )
    assert await consent.current(app_engine, shop.id, who) == {"messages": True, "marketing": False}
    await consent.opt_out(app_engine, shop.id, who, text_version="2026-11", evidence="wamid.2")
    assert await consent.current(app_engine, shop.id, who) == {
        "messages": False,
        "marketing": False,
    }
    assert (await customer_for(app_engine, shop.id, who)).opted_out
    async with tenant_transaction(app_engine, shop.id) as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT purpose, granted, text_version, channel, evidence, recorded_at "
                    "FROM consents ORDER BY id"
                )
            )
        ).all()
    assert [(r.purpose, r.granted, r.text_version, r.channel, r.evidence) for r in rows] == [
        ("messages", True, "2026-11", "whatsapp", "wamid.1"),
        ("messages", False, "2026-11", "whatsapp", "wamid.2"),
        ("marketing", False, "2026-11", "whatsapp", "wamid.2"),
    ]
    assert all(r.recorded_at is not None for r in rows)
    # Saying yes again lifts the opt-out.
    await consent.record_consent(
        app_engine, shop.id, who, "messages", granted=True, text_version="2026-12"
    )
    assert not (await customer_for(app_engine, shop.id, who)).opted_out
    actions = [e.action for e in await audit.entries(app_engine, shop.id)]
    assert actions.count("consent.withdrawn") == 2
    assert actions.count("consent.granted") == 2


async def test_the_export_holds_everything_about_the_shopper(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who, someone_else = shopper(), shopper()
    await consent.record_consent(
        app_engine, shop.id, who, "messages", granted=True, text_version="2026-11"
    )
    number = await _delivered_order(app_engine, shop, who)
    await _delivered_order(app_engine, shop, someone_else)
    await _log_message(app_engine, shop, who)
    await _log_message(app_engine, shop, someone_else)
    await carts.add_item(app_engine, shop.id, who, shop.products["MILK"], 2)

    document = await export_customer(app_engine, shop.id, who, actor=OPERATOR)

    json.dumps(document)  # JSON as it stands
    assert document["profile"]["user_key"] == who
    assert document["profile"]["address"] == "7 Khumalo St"
    assert [c["purpose"] for c in document["consents"]] == ["messages"]
    [order] = document["orders"]
    assert (order["number"], order["status"], order["delivery_address"]) == (
        number,
        "delivered",
        "7 Khumalo St",
    )
    assert [h["to"] for h in order["history"]][-1] == "delivered"
    assert order["items"][0]["name"] == "White bread"
    assert document["cart"] == [{"sku": "MILK", "quantity": 2, "unit_price_cents": 2199}]
    assert len(document["messages"]) == 1
    assert (await audit.entries(app_engine, shop.id, subject=None, limit=1))[0].action == (
        "privacy.exported"
    )


async def test_erasure_keeps_the_books_and_forgets_the_person(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    await consent.record_consent(
        app_engine, shop.id, who, "messages", granted=True, text_version="2026-11"
    )
    number = await _delivered_order(app_engine, shop, who)
    await _log_message(app_engine, shop, who)
    await carts.add_item(app_engine, shop.id, who, shop.products["MILK"], 1)

    customer_id = await erase_customer(app_engine, shop.id, who, actor=OPERATOR)

    async with tenant_transaction(app_engine, shop.id) as conn:
        person = (
            await conn.execute(
                text(
                    "SELECT user_key, phone, name, address, erased_at FROM customers WHERE id = :c"
                ),
                {"c": customer_id},
            )
        ).one()
        order = (
            await conn.execute(
                text(
                    "SELECT total_cents, delivery_address, customer_id FROM orders "
                    "WHERE number = :n"
                ),
                {"n": number},
            )
        ).one()
        everywhere = (
            await conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM customers WHERE user_key = :w OR phone = :w)"
                    " + (SELECT count(*) FROM message_log WHERE customer = :w)"
                    " + (SELECT count(*) FROM orders WHERE delivery_address IS NOT NULL)"
                    " + (SELECT count(*) FROM carts)"
                    " + (SELECT count(*) FROM audit_log WHERE details::text LIKE '%' || :w || '%')"
                    " + (SELECT count(*) FROM outbox WHERE payload::text LIKE '%' || :w || '%')"
                ),
                {"w": who},
            )
        ).scalar_one()
    assert (person.user_key, person.phone, person.name, person.address) == (
        f"erased:{customer_id}",
        None,
        None,
        None,
    )
    assert person.erased_at is not None
    assert (order.total_cents, order.delivery_address, order.customer_id) == (
        1599,
        None,
        customer_id,
    )
    assert everywhere == 0
    with pytest.raises(NotFound):
        await export_customer(app_engine, shop.id, who, actor=OPERATOR)
    # Writing again later starts a new, empty profile.
    fresh = await customer_for(app_engine, shop.id, who)
    assert fresh.id != customer_id
    assert not fresh.erased


async def test_erasure_waits_for_open_orders(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, shop.products["BREAD"], 1)
    order = (await place_order(app_engine, shop.id, Checkout(who, message_id()))).order
    with pytest.raises(ErasureBlocked, match=order.number):
        await erase_customer(app_engine, shop.id, who, actor=OPERATOR)
    with pytest.raises(NotFound):
        await erase_customer(app_engine, shop.id, shopper(), actor=OPERATOR)


async def test_the_app_role_cannot_rewrite_the_audit_log(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    async with tenant_transaction(app_engine, shop.id) as conn:
        await audit.record(conn, shop.id, "system", "test.entry", "shop", {"n": 1})
    for sql in (
        "UPDATE audit_log SET action = 'test.rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="permission denied"):
            async with tenant_transaction(app_engine, shop.id) as conn:
                await conn.execute(text(sql))
    assert [e.action for e in await audit.entries(app_engine, shop.id)] == ["test.entry"]


async def test_not_even_the_owner_can_rewrite_the_audit_log(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, shop: Shop
) -> None:
    async with tenant_transaction(app_engine, shop.id) as conn:
        await audit.record(conn, shop.id, "system", "test.entry")
    for sql in (
        "UPDATE audit_log SET action = 'test.rewritten' WHERE tenant_id = :t",
        "DELETE FROM audit_log WHERE tenant_id = :t",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="audit_log is append-only"):
            async with admin_engine.begin() as conn:
                await conn.execute(text(sql), {"t": str(shop.id)})
    assert [e.action for e in await audit.entries(app_engine, shop.id)] == ["test.entry"]


async def test_actors_never_carry_a_phone_number() -> None:
    assert audit.staff_actor("27821234567") == "staff:*4567"
    with pytest.raises(Exception, match="actor"):
        audit.check_actor("27821234567")
