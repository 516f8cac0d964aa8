"""Shopping carts: one open cart per shopper, priced at today's prices until checkout.

Lines refer to products by id within the shop; a product id of another shop is simply not
found (row-level security), and the composite foreign key (tenant_id, product_id) refuses it
even if a query forgot to filter. Stock is only checked softly here (to tell the shopper early);
checkout (`commerce.orders.place_order`) is where stock is reserved for real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import customers, money, stock
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, NotInCart, ProductNotFound
from commerce.schema import products
from commerce.schema_orders import cart_items, carts

MAX_QUANTITY = 999


@dataclass(frozen=True, slots=True)
class CartLine:
    product_id: int
    sku: str
    names: dict[str, str]
    unit: str
    unit_price_cents: int
    quantity: int
    active: bool = True

    @property
    def line_total_cents(self) -> int:
        return money.line_total(self.unit_price_cents, self.quantity)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True, slots=True)
class Cart:
    id: int | None
    lines: tuple[CartLine, ...] = field(default_factory=tuple)

    @property
    def subtotal_cents(self) -> int:
        return money.total(line.line_total_cents for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


async def find_cart_id(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> int | None:
    found = await conn.scalar(
        select(carts.c.id).where(carts.c.tenant_id == tenant_id, carts.c.customer_id == customer_id)
    )
    return None if found is None else int(found)


async def ensure_cart_id(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> int:
    found = await find_cart_id(conn, tenant_id, customer_id)
    if found is not None:
        return found
    # ON CONFLICT: two messages of the same shopper may race to create the cart.
    await conn.execute(
        insert(carts)
        .values(tenant_id=tenant_id, customer_id=customer_id)
        .on_conflict_do_nothing(index_elements=[carts.c.tenant_id, carts.c.customer_id])
    )
    created = await conn.execute(
        select(carts.c.id).where(carts.c.tenant_id == tenant_id, carts.c.customer_id == customer_id)
    )
    return int(created.scalar_one())


async def load_cart(conn: AsyncConnection, tenant_id: UUID, cart_id: int | None) -> Cart:
    if cart_id is None:
        return Cart(None)
    rows = await conn.execute(
        select(
            products.c.id,
            products.c.sku,
            products.c.names,
            products.c.unit,
            products.c.price_cents,
            products.c.active,
            cart_items.c.quantity,
        )
        .join(
            products,
            (products.c.tenant_id == cart_items.c.tenant_id)
            & (products.c.id == cart_items.c.product_id),
        )
        .where(cart_items.c.tenant_id == tenant_id, cart_items.c.cart_id == cart_id)
        .order_by(cart_items.c.added_at, products.c.id)
    )
    lines = tuple(
        CartLine(r.id, r.sku, dict(r.names), r.unit, r.price_cents, r.quantity, r.active)
        for r in rows
    )
    return Cart(cart_id, lines)


async def _product_for_sale(conn: AsyncConnection, tenant_id: UUID, product_id: int) -> None:
    found = await conn.scalar(
        select(products.c.id).where(
            products.c.tenant_id == tenant_id,
            products.c.id == product_id,
            products.c.active.is_(True),
        )
    )
    if found is None:
        raise ProductNotFound(product_id)


async def _touch(conn: AsyncConnection, tenant_id: UUID, cart_id: int) -> None:
    await conn.execute(
        update(carts)
        .where(carts.c.tenant_id == tenant_id, carts.c.id == cart_id)
        .values(updated_at=func.now())
    )


async def add_item(
    engine: AsyncEngine, tenant_id: UUID, user_key: str, product_id: int, quantity: int = 1
) -> Cart:
    """Add units of a product (adding to what is already in the cart)."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be between 1 and {MAX_QUANTITY}, got {quantity}")
    async with tenant_transaction(engine, tenant_id) as conn:
        await _product_for_sale(conn, tenant_id, product_id)
        customer = await customers.ensure(conn, tenant_id, user_key)
        cart_id = await ensure_cart_id(conn, tenant_id, customer.id)
        current = await conn.scalar(
            select(cart_items.c.quantity).where(
                cart_items.c.tenant_id == tenant_id,
                cart_items.c.cart_id == cart_id,
                cart_items.c.product_id == product_id,
            )
        )
        wanted = quantity + int(current or 0)
        if wanted > MAX_QUANTITY:
            raise InvalidInput(f"at most {MAX_QUANTITY} of one product fit in a cart")
        available = (await stock.levels(conn, tenant_id, [product_id])).get(product_id)
        if available is not None and available < wanted:
            raise await stock.shortage(conn, tenant_id, product_id, wanted, available)
        statement = insert(cart_items).values(
            tenant_id=tenant_id, cart_id=cart_id, product_id=product_id, quantity=wanted
        )
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    cart_items.c.tenant_id,
                    cart_items.c.cart_id,
                    cart_items.c.product_id,
                ],
                set_={"quantity": statement.excluded.quantity},
            )
        )
        await _touch(conn, tenant_id, cart_id)
        return await load_cart(conn, tenant_id, cart_id)


async def remove_item(engine: AsyncEngine, tenant_id: UUID, user_key: str, product_id: int) -> Cart:
    """Take a product out of the cart entirely; NotInCart if it was not there."""
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.ensure(conn, tenant_id, user_key)
        cart_id = await find_cart_id(conn, tenant_id, customer.id)
        if cart_id is None:
            raise NotInCart(product_id)
        result = await conn.execute(
            delete(cart_items).where(
                cart_items.c.tenant_id == tenant_id,
                cart_items.c.cart_id == cart_id,
                cart_items.c.product_id == product_id,
            )
        )
        if not result.rowcount:
            raise NotInCart(product_id)
        await _touch(conn, tenant_id, cart_id)
        return await load_cart(conn, tenant_id, cart_id)


async def view_cart(engine: AsyncEngine, tenant_id: UUID, user_key: str) -> Cart:
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.find(conn, tenant_id, customers.check_user_key(user_key))
        if customer is None:
            return Cart(None)
        cart_id = await find_cart_id(conn, tenant_id, customer.id)
        return await load_cart(conn, tenant_id, cart_id)


async def clear_cart(engine: AsyncEngine, tenant_id: UUID, user_key: str) -> None:
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.find(conn, tenant_id, customers.check_user_key(user_key))
        if customer is not None:
            await discard(conn, tenant_id, customer.id)


async def discard(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> None:
    """Drop the shopper's cart (after checkout, or on erasure); items go with it."""
    cart_id = await find_cart_id(conn, tenant_id, customer_id)
    if cart_id is None:
        return
    await conn.execute(
        delete(cart_items).where(
            cart_items.c.tenant_id == tenant_id, cart_items.c.cart_id == cart_id
        )
    )
    await conn.execute(delete(carts).where(carts.c.tenant_id == tenant_id, carts.c.id == cart_id))
