"""Reorder: put the shopper's last order back in their cart, at today's prices.

Products no longer sold are skipped, and a tracked product is capped at what is available now;
the shopper sees what was left out and checks out as usual (where stock is reserved for real).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import carts, customers, stock
from commerce.db import tenant_transaction
from commerce.orders import OrderLine, load, shopper_order_id
from commerce.schema import products
from commerce.schema_orders import cart_items


@dataclass(frozen=True, slots=True)
class Reordered:
    order_number: str
    cart: carts.Cart
    skipped: tuple[OrderLine, ...]  # no longer sold, or none available right now


async def reorder_last(engine: AsyncEngine, tenant_id: UUID, user_key: str) -> Reordered:
    """OrderNotFound when the shopper has never ordered here."""
    async with tenant_transaction(engine, tenant_id) as conn:
        order = await load(conn, tenant_id, await shopper_order_id(conn, tenant_id, user_key))
        customer = await customers.ensure(conn, tenant_id, user_key)
        ids = [line.product_id for line in order.lines]
        selling = set(
            await conn.scalars(
                select(products.c.id).where(
                    products.c.tenant_id == tenant_id,
                    products.c.id.in_(ids),
                    products.c.active.is_(True),
                )
            )
        )
        available = await stock.levels(conn, tenant_id, ids)
        cart_id = await carts.ensure_cart_id(conn, tenant_id, customer.id)
        in_cart = await carts.load_cart(conn, tenant_id, cart_id)
        already = {line.product_id: line.quantity for line in in_cart.lines}
        skipped = []
        for line in order.lines:
            held = already.get(line.product_id, 0)
            room = available.get(line.product_id, carts.MAX_QUANTITY) - held
            quantity = min(line.quantity, room, carts.MAX_QUANTITY - held)
            if line.product_id not in selling or quantity <= 0:
                skipped.append(line)
                continue
            statement = insert(cart_items).values(
                tenant_id=tenant_id, cart_id=cart_id, product_id=line.product_id, quantity=quantity
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        cart_items.c.tenant_id,
                        cart_items.c.cart_id,
                        cart_items.c.product_id,
                    ],
                    set_={"quantity": cart_items.c.quantity + statement.excluded.quantity},
                )
            )
        cart = await carts.load_cart(conn, tenant_id, cart_id)
    return Reordered(order.number, cart, tuple(skipped))
