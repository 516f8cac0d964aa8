"""POPIA: a shopper's data export and erasure.

Export gathers everything the shop holds about one shopper as JSON-ready data: profile,
consent records, orders (with items and history), cart, and the message log (kinds and times;
message text is never stored).

Erasure removes what identifies the shopper and keeps what the law requires: orders and their
amounts stay for 7 years (tax records), tied to an anonymised customer. The customer row keeps
its id but loses its channel id, number, name and address; delivery addresses on orders are
cleared; the cart goes; the message log's customer becomes `erased:<id>`. Consent records stay
as proof of what was agreed (they hold no personal data once the row is anonymised). The audit
log records the erasure but never held personal data in the first place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit, carts, consent, customers
from commerce.db import tenant_transaction
from commerce.errors import ErasureBlocked, NotFound
from commerce.order_machine import FINAL
from commerce.orders import Order, load
from commerce.schema import message_log, tenants
from commerce.schema_customers import customers as customers_table
from commerce.schema_orders import order_status_history, orders

FORMAT = "wakala.export/1"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _order_json(order: Order, address: str | None, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status.value,
        "placed_at": _iso(order.placed_at),
        "paid_at": _iso(order.paid_at),
        "fulfilment": order.fulfilment,
        "delivery_address": address,
        "payment_method": order.payment_method,
        "subtotal_cents": order.subtotal_cents,
        "delivery_fee_cents": order.delivery_fee_cents,
        "total_cents": order.total_cents,
        "items": [
            {
                "sku": line.sku,
                "name": line.name(order.language),
                "unit": line.unit,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
                "line_total_cents": line.line_total_cents,
            }
            for line in order.lines
        ],
        "history": history,
    }


async def _orders(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(orders.c.id, orders.c.delivery_address)
        .where(orders.c.tenant_id == tenant_id, orders.c.customer_id == customer_id)
        .order_by(orders.c.id)
    )
    result = []
    for row in list(rows):
        history = await conn.execute(
            select(order_status_history)
            .where(
                order_status_history.c.tenant_id == tenant_id,
                order_status_history.c.order_id == row.id,
            )
            .order_by(order_status_history.c.id)
        )
        changes = [
            {"from": h.from_status, "to": h.to_status, "at": _iso(h.at), "reason": h.reason}
            for h in history
        ]
        order = await load(conn, tenant_id, int(row.id))
        result.append(_order_json(order, row.delivery_address, changes))
    return result


async def export_customer(
    engine: AsyncEngine, tenant_id: UUID, user_key: str, *, actor: str
) -> dict[str, Any]:
    """Everything held about the shopper, as JSON-ready data; NotFound for an unknown shopper."""
    async with tenant_transaction(engine, tenant_id) as conn:
        key = customers.check_user_key(user_key)
        row = (
            await conn.execute(
                select(customers_table).where(
                    customers_table.c.tenant_id == tenant_id, customers_table.c.user_key == key
                )
            )
        ).one_or_none()
        if row is None:
            raise NotFound("this shop holds no data about that shopper")
        shop = (await conn.execute(select(tenants.c.code, tenants.c.name))).one()
        cart = await carts.load_cart(
            conn, tenant_id, await carts.find_cart_id(conn, tenant_id, row.id)
        )
        messages = await conn.execute(
            select(message_log)
            .where(message_log.c.tenant_id == tenant_id, message_log.c.customer == key)
            .order_by(message_log.c.id)
        )
        document = {
            "format": FORMAT,
            "exported_at": datetime.now(UTC).isoformat(),
            "shop": {"code": shop.code, "name": shop.name},
            "profile": {
                "user_key": row.user_key,
                "phone": row.phone,
                "name": row.name,
                "address": row.address,
                "language": row.language,
                "opted_out": row.opted_out,
                "opted_out_at": _iso(row.opted_out_at),
                "first_contact": _iso(row.created_at),
            },
            "consents": [
                {
                    "purpose": c.purpose,
                    "granted": c.granted,
                    "text_version": c.text_version,
                    "channel": c.channel,
                    "recorded_at": _iso(c.recorded_at),
                }
                for c in await consent.history(conn, tenant_id, row.id)
            ],
            "orders": await _orders(conn, tenant_id, row.id),
            "cart": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price_cents": line.unit_price_cents,
                }
                for line in cart.lines
            ],
            "messages": [
                {
                    "direction": m.direction,
                    "kind": m.kind,
                    "status": m.status,
                    "at": _iso(m.created_at),
                }
                for m in messages
            ],
        }
        await audit.record(conn, tenant_id, actor, "privacy.exported", f"customer:{row.id}")
    return document


async def erase_customer(engine: AsyncEngine, tenant_id: UUID, user_key: str, *, actor: str) -> int:
    """Anonymise the shopper (see module docs); returns the kept customer id.

    ErasureBlocked while any of their orders is still open (finish, cancel or refund it first),
    so nobody is left waiting for goods or money that can no longer be traced to them.
    """
    async with tenant_transaction(engine, tenant_id) as conn:
        key = customers.check_user_key(user_key)
        customer = await customers.find(conn, tenant_id, key)
        if customer is None:
            raise NotFound("this shop holds no data about that shopper")
        open_numbers = list(
            await conn.scalars(
                select(orders.c.number)
                .where(
                    orders.c.tenant_id == tenant_id,
                    orders.c.customer_id == customer.id,
                    orders.c.status.not_in([status.value for status in FINAL]),
                )
                .order_by(orders.c.id)
            )
        )
        if open_numbers:
            raise ErasureBlocked(open_numbers)
        placeholder = f"{customers.ERASED_PREFIX}{customer.id}"
        await carts.discard(conn, tenant_id, customer.id)
        await conn.execute(
            update(orders)
            .where(orders.c.tenant_id == tenant_id, orders.c.customer_id == customer.id)
            .values(delivery_address=None, updated_at=func.now())
        )
        await conn.execute(
            update(message_log)
            .where(message_log.c.tenant_id == tenant_id, message_log.c.customer == key)
            .values(customer=placeholder)
        )
        await conn.execute(
            update(customers_table)
            .where(customers_table.c.tenant_id == tenant_id, customers_table.c.id == customer.id)
            .values(
                user_key=placeholder,
                phone=None,
                name=None,
                address=None,
                erased_at=func.now(),
                updated_at=func.now(),
            )
        )
        await audit.record(conn, tenant_id, actor, "privacy.erased", f"customer:{customer.id}")
    return customer.id
