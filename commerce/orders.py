"""Orders: checkout (idempotent, reserving stock), reading orders, and reordering.

Checkout is keyed by the inbound message that asked for it. The key is locked first
(`pg_advisory_xact_lock`) and looked up: a redelivered or duplicated message waits for the first
transaction and then finds its order, so one message never makes two orders; the UNIQUE
(tenant_id, idempotency_key) constraint backs this up. Status changes live in
`commerce.order_status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit, carts, customers, events, money, order_numbers, shop_settings, stock
from commerce.db import tenant_transaction
from commerce.errors import Conflict, EmptyCart, InvalidInput, OrderNotFound, ProductNotFound
from commerce.order_machine import FINAL, OrderFacts, Status, notify_for
from commerce.schema_customers import customers as customers_table
from commerce.schema_orders import carts as carts_table
from commerce.schema_orders import order_items, order_status_history, orders
from commerce.text import without_nul

Fulfilment = Literal["delivery", "collection"]
PaymentMethod = Literal["cash", "card", "eft"]


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: int
    sku: str
    names: dict[str, str]
    unit: str
    unit_price_cents: int
    quantity: int
    line_total_cents: int
    reserved_quantity: int = 0  # units held in stock (0: not stock-tracked at checkout)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    number: str
    status: Status
    customer_id: int
    fulfilment: str
    payment_method: str
    language: str
    subtotal_cents: int
    delivery_fee_cents: int
    total_cents: int
    placed_at: datetime
    paid_at: datetime | None
    reserved_until: datetime
    lines: tuple[OrderLine, ...]
    delivery_address: str | None = None  # for the merchant's order details

    @property
    def facts(self) -> OrderFacts:
        return OrderFacts(
            self.status, self.paid_at is not None, self.payment_method, self.fulfilment
        )

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL


@dataclass(frozen=True, slots=True)
class Checkout:
    """A shopper's request to turn their cart into an order."""

    user_key: str
    idempotency_key: str  # the inbound message id (WhatsApp wamid)
    fulfilment: Fulfilment = "collection"
    payment_method: PaymentMethod = "cash"
    delivery_address: str | None = None
    language: str = "en"

    def validated(self) -> Checkout:
        key = self.idempotency_key.strip()
        if not 1 <= len(key) <= 200:
            raise InvalidInput("checkout needs the id of the message that asked for it")
        if self.fulfilment not in ("delivery", "collection"):
            raise InvalidInput(f"fulfilment {self.fulfilment!r} must be delivery or collection")
        if self.payment_method not in ("cash", "card", "eft"):
            raise InvalidInput(f"payment method {self.payment_method!r} must be cash, card or eft")
        address = without_nul(self.delivery_address or "").strip() or None  # typed in chat
        if self.fulfilment == "delivery" and address is None:
            raise InvalidInput("a delivery order needs an address: ask the shopper where to")
        if address is not None and len(address) > 500:
            raise InvalidInput("the delivery address must be at most 500 characters")
        if self.language not in customers.LANGUAGES:
            raise InvalidInput(f"language {self.language!r} must be en, zu or st")
        return Checkout(
            customers.check_user_key(self.user_key),
            key,
            self.fulfilment,
            self.payment_method,
            address if self.fulfilment == "delivery" else None,
            self.language,
        )


@dataclass(frozen=True, slots=True)
class Placed:
    order: Order
    created: bool  # False when the idempotency key had already placed this order


def _order(row: Row[tuple[object, ...]], lines: tuple[OrderLine, ...]) -> Order:
    m = row._mapping
    return Order(
        id=int(m["id"]),
        number=str(m["number"]),
        status=Status(str(m["status"])),
        customer_id=int(m["customer_id"]),
        fulfilment=str(m["fulfilment"]),
        payment_method=str(m["payment_method"]),
        language=str(m["language"]),
        subtotal_cents=int(m["subtotal_cents"]),
        delivery_fee_cents=int(m["delivery_fee_cents"]),
        total_cents=int(m["total_cents"]),
        placed_at=m["placed_at"],
        paid_at=m["paid_at"],
        reserved_until=m["reserved_until"],
        lines=lines,
        delivery_address=m["delivery_address"],
    )


async def load(
    conn: AsyncConnection, tenant_id: UUID, order_id: int, *, lock: bool = False
) -> Order:
    """One order with its lines; OrderNotFound if this shop has no such order."""
    query = select(orders).where(orders.c.tenant_id == tenant_id, orders.c.id == order_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise OrderNotFound(str(order_id))
    items = await conn.execute(
        select(order_items)
        .where(order_items.c.tenant_id == tenant_id, order_items.c.order_id == order_id)
        .order_by(order_items.c.product_id)
    )
    lines = tuple(
        OrderLine(
            i.product_id,
            i.sku,
            dict(i.names),
            i.unit,
            i.unit_price_cents,
            i.quantity,
            i.line_total_cents,
            i.reserved_quantity,
        )
        for i in items
    )
    return _order(row, lines)


async def _id_where(
    conn: AsyncConnection, tenant_id: UUID, *conditions: ColumnElement[bool]
) -> int | None:
    found = await conn.scalar(
        select(orders.c.id)
        .where(orders.c.tenant_id == tenant_id, *conditions)
        .order_by(orders.c.id.desc())
        .limit(1)
    )
    return None if found is None else int(found)


async def place_order(engine: AsyncEngine, tenant_id: UUID, checkout: Checkout) -> Placed:
    """Turn the shopper's cart into an order, reserving stock; the same key gives the same order.

    Raises EmptyCart, ProductNotFound (a product no longer sold) or OutOfStock; in each case
    nothing is written and the cart is left as it was.
    """
    request = checkout.validated()
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{tenant_id}:checkout:{request.idempotency_key}"},
        )
        existing = await _id_where(
            conn, tenant_id, orders.c.idempotency_key == request.idempotency_key
        )
        customer = await customers.ensure(conn, tenant_id, request.user_key)
        if existing is not None:
            order = await load(conn, tenant_id, existing)
            if order.customer_id != customer.id:  # message ids are unique: a forged request
                raise Conflict("that message id already placed another shopper's order")
            return Placed(order, created=False)
        order_id = await _create(conn, tenant_id, customer.id, request)
        return Placed(await load(conn, tenant_id, order_id), created=True)


async def _create(
    conn: AsyncConnection, tenant_id: UUID, customer_id: int, request: Checkout
) -> int:
    # Lock the cart: two checkouts of one shopper (two different messages) take turns, and
    # the second finds the cart already emptied.
    cart_id = await conn.scalar(
        select(carts_table.c.id)
        .where(carts_table.c.tenant_id == tenant_id, carts_table.c.customer_id == customer_id)
        .with_for_update()
    )
    cart = await carts.load_cart(conn, tenant_id, None if cart_id is None else int(cart_id))
    if cart.is_empty:
        raise EmptyCart()
    for line in cart.lines:
        if not line.active:
            raise ProductNotFound(line.product_id)
    held = await stock.reserve(
        conn, tenant_id, [(line.product_id, line.quantity) for line in cart.lines]
    )
    settings = await shop_settings.load(conn, tenant_id)
    fee = settings.delivery_fee_cents if request.fulfilment == "delivery" else 0
    subtotal = cart.subtotal_cents
    number = await order_numbers.next_number(conn, tenant_id)
    order_id = int(
        await conn.scalar(
            orders.insert()
            .values(
                tenant_id=tenant_id,
                number=number,
                customer_id=customer_id,
                idempotency_key=request.idempotency_key,
                fulfilment=request.fulfilment,
                delivery_address=request.delivery_address,
                payment_method=request.payment_method,
                language=request.language,
                subtotal_cents=subtotal,
                delivery_fee_cents=fee,
                total_cents=money.total([subtotal, fee]),
                reserved_until=func.now() + timedelta(minutes=settings.reservation_minutes),
            )
            .returning(orders.c.id)
        )
    )
    await conn.execute(
        order_items.insert(),
        [
            {
                "tenant_id": tenant_id,
                "order_id": order_id,
                "product_id": line.product_id,
                "sku": line.sku,
                "names": line.names,
                "unit": line.unit,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
                "line_total_cents": line.line_total_cents,
                "reserved_quantity": held.get(line.product_id, 0),
            }
            for line in cart.lines
        ],
    )
    actor = audit.customer_actor(customer_id)
    await record_change(
        conn, tenant_id, order_id, number, customer_id, None, Status.PLACED, actor, ""
    )
    if request.delivery_address is not None:  # offered again next time
        await conn.execute(
            update(customers_table)
            .where(customers_table.c.tenant_id == tenant_id, customers_table.c.id == customer_id)
            .values(address=request.delivery_address, updated_at=func.now())
        )
    await carts.discard(conn, tenant_id, customer_id)
    return order_id


async def record_change(
    conn: AsyncConnection,
    tenant_id: UUID,
    order_id: int,
    number: str,
    customer_id: int,
    previous: Status | None,
    status: Status,
    actor: str,
    reason: str,
    *,
    announce: bool = True,
) -> None:
    """History row, outbox event and audit entry for one status change, in the caller's
    transaction: all three commit with the change or not at all. `announce=False` leaves out
    the event, for an intermediate step nobody needs to hear about."""
    await conn.execute(
        order_status_history.insert().values(
            tenant_id=tenant_id,
            order_id=order_id,
            from_status=None if previous is None else previous.value,
            to_status=status.value,
            actor=audit.check_actor(actor),
            reason=reason[:200],
        )
    )
    details = {
        "order_number": number,
        "status": status.value,
        "previous": None if previous is None else previous.value,
        "reason": reason[:200],
    }
    if announce:
        await events.emit(
            conn,
            tenant_id,
            f"order.{status.value}",
            notify=notify_for(actor),
            order_id=order_id,
            customer_id=customer_id,
            payload=details,
        )
    await audit.record(
        conn, tenant_id, actor, f"order.{status.value}", f"order:{order_id}", details
    )


async def get_order(engine: AsyncEngine, tenant_id: UUID, order_id: int) -> Order:
    async with tenant_transaction(engine, tenant_id) as conn:
        return await load(conn, tenant_id, order_id)


async def order_by_number(engine: AsyncEngine, tenant_id: UUID, number: str) -> Order:
    """For the merchant: any order of the shop by its number."""
    wanted = order_numbers.normalise_number(number)
    async with tenant_transaction(engine, tenant_id) as conn:
        found = await _id_where(conn, tenant_id, orders.c.number == wanted)
        if found is None:
            raise OrderNotFound(wanted)
        return await load(conn, tenant_id, found)


async def shopper_order_id(
    conn: AsyncConnection,
    tenant_id: UUID,
    user_key: str,
    number: str | None = None,
    *,
    open_only: bool = False,
) -> int:
    """The shopper's own order by number, or their latest; never another shopper's."""
    customer = await customers.find(conn, tenant_id, customers.check_user_key(user_key))
    if customer is None:
        raise OrderNotFound(number or "for this shopper")
    conditions: list[ColumnElement[bool]] = [orders.c.customer_id == customer.id]
    if number is not None:
        conditions.append(orders.c.number == order_numbers.normalise_number(number))
    if open_only:
        conditions.append(orders.c.status.not_in([status.value for status in FINAL]))
    found = await _id_where(conn, tenant_id, *conditions)
    if found is None:
        raise OrderNotFound(number or "for this shopper")
    return found


async def shopper_order(
    engine: AsyncEngine, tenant_id: UUID, user_key: str, number: str | None = None
) -> Order:
    async with tenant_transaction(engine, tenant_id) as conn:
        order_id = await shopper_order_id(conn, tenant_id, user_key, number)
        return await load(conn, tenant_id, order_id)


async def list_orders(
    engine: AsyncEngine,
    tenant_id: UUID,
    *,
    statuses: tuple[Status, ...] = (),
    limit: int = 20,
) -> list[Order]:
    """For the merchant: the newest orders, optionally only in some statuses."""
    query = select(orders.c.id).where(orders.c.tenant_id == tenant_id)
    if statuses:
        query = query.where(orders.c.status.in_([status.value for status in statuses]))
    async with tenant_transaction(engine, tenant_id) as conn:
        ids = list(await conn.scalars(query.order_by(orders.c.id.desc()).limit(limit)))
        return [await load(conn, tenant_id, int(order_id)) for order_id in ids]
