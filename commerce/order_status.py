"""Changing an order's status: the one way orders move (merchant, shopper, payments, expiry).

`transition` locks the order, checks the machine (`commerce.order_machine`), moves the stock,
and writes status history, one outbox event and an audit entry, all in the caller's
transaction. Asking for the status the order already has is a no-op (no event), so a replayed
payment notification or a repeated merchant command changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit, events, stock
from commerce.db import tenant_transaction
from commerce.errors import IllegalTransition, InvalidInput, OrderNotFound
from commerce.order_machine import FINAL, PACKED, Status, refusal
from commerce.orders import Order, load, record_change, shopper_order_id
from commerce.schema_orders import orders

EXPIRED = "reservation expired"


def _status(value: Status | str) -> Status:
    try:
        return Status(value)
    except ValueError:
        known = ", ".join(status.value for status in Status)
        raise InvalidInput(f"order status {value!r} must be one of {known}") from None


async def _move_stock(conn: AsyncConnection, tenant_id: UUID, order: Order, wanted: Status) -> str:
    """Reserve → commit when packed; release or restock when the order is called off."""
    lines = [(line.product_id, line.reserved_quantity) for line in order.lines]
    state = str(
        await conn.scalar(
            select(orders.c.stock_state).where(
                orders.c.tenant_id == tenant_id, orders.c.id == order.id
            )
        )
    )
    if wanted is Status.READY and state == "reserved":
        await stock.commit(conn, tenant_id, lines)
        return "committed"
    if wanted in (Status.CANCELLED, Status.REFUNDED):
        if state == "reserved":
            await stock.release(conn, tenant_id, lines)
            return "released"
        if state == "committed" and order.status in PACKED:  # goods still at the shop
            await stock.restock(conn, tenant_id, lines)
            return "released"
    return state


async def transition(
    conn: AsyncConnection,
    tenant_id: UUID,
    order_id: int,
    to: Status | str,
    *,
    actor: str,
    reason: str = "",
    announce: bool = True,
) -> Order:
    """Move one order to `to` inside the caller's transaction (payments use this to mark paid
    in the same transaction as the payment row). `announce=False` writes no outbox event."""
    wanted = _status(to)
    audit.check_actor(actor)
    order = await load(conn, tenant_id, order_id, lock=True)
    if order.status is wanted:
        return order
    why = refusal(order.facts, wanted)
    if why is not None:
        raise IllegalTransition(order.number, order.status.value, wanted.value, why)
    stock_state = await _move_stock(conn, tenant_id, order, wanted)
    changes: dict[str, object] = {
        "status": wanted.value,
        "stock_state": stock_state,
        "updated_at": func.now(),
    }
    cash_handed_over = wanted is Status.DELIVERED and order.payment_method == "cash"
    if order.paid_at is None and (wanted is Status.PAID or cash_handed_over):
        changes["paid_at"] = func.now()
    if wanted in FINAL:
        changes["closed_at"] = func.now()
    await conn.execute(
        update(orders)
        .where(orders.c.tenant_id == tenant_id, orders.c.id == order_id)
        .values(changes)
    )
    await record_change(
        conn,
        tenant_id,
        order_id,
        order.number,
        order.customer_id,
        order.status,
        wanted,
        actor,
        reason,
        announce=announce,
    )
    return await load(conn, tenant_id, order_id)


async def change_status(
    engine: AsyncEngine,
    tenant_id: UUID,
    order_id: int,
    to: Status | str,
    *,
    actor: str,
    reason: str = "",
) -> Order:
    async with tenant_transaction(engine, tenant_id) as conn:
        return await transition(conn, tenant_id, order_id, to, actor=actor, reason=reason)


async def cancel_for_shopper(
    engine: AsyncEngine, tenant_id: UUID, user_key: str, number: str | None = None
) -> Order:
    """The shopper cancels their order (by number, or their latest open one). With no open
    order, the latest one is taken, so a shopper cancelling a delivered order hears that it
    can no longer be cancelled (IllegalTransition), not that they have no orders."""
    async with tenant_transaction(engine, tenant_id) as conn:
        try:
            order_id = await shopper_order_id(
                conn, tenant_id, user_key, number, open_only=number is None
            )
        except OrderNotFound:
            if number is not None:
                raise
            order_id = await shopper_order_id(conn, tenant_id, user_key, None, open_only=False)
        order = await load(conn, tenant_id, order_id)
        return await transition(
            conn,
            tenant_id,
            order_id,
            Status.CANCELLED,
            actor=audit.customer_actor(order.customer_id),
            reason="cancelled by the shopper",
        )


async def expire_reservations(
    engine: AsyncEngine, tenant_id: UUID, *, now: datetime | None = None
) -> list[str]:
    """Cancel orders whose hold on stock has run out; returns their numbers.

    Expires orders nobody confirmed (placed), and confirmed card/EFT orders still unpaid.
    Confirmed cash orders keep their stock: the merchant accepted them and is paid on handover.
    Rows another sweeper holds are skipped, so sweepers can run side by side.
    """
    deadline = func.now() if now is None else now
    async with tenant_transaction(engine, tenant_id) as conn:
        stale = list(
            await conn.scalars(
                select(orders.c.id)
                .where(
                    orders.c.tenant_id == tenant_id,
                    orders.c.stock_state == "reserved",
                    orders.c.reserved_until < deadline,
                    or_(
                        orders.c.status == Status.PLACED.value,
                        (orders.c.status == Status.CONFIRMED.value)
                        & (orders.c.payment_method != "cash"),
                    ),
                )
                .order_by(orders.c.id)
                .with_for_update(skip_locked=True)
            )
        )
        expired = []
        for order_id in stale:
            order = await transition(
                conn, tenant_id, int(order_id), Status.CANCELLED, actor=audit.SYSTEM, reason=EXPIRED
            )
            expired.append(order.number)
    return expired


async def expire_everywhere(
    engine: AsyncEngine, *, now: datetime | None = None
) -> dict[UUID, list[str]]:
    """Run `expire_reservations` for every shop with a WhatsApp number (for a periodic job)."""
    results: dict[UUID, list[str]] = {}
    for tenant_id in await events.tenant_ids(engine):
        expired = await expire_reservations(engine, tenant_id, now=now)
        if expired:
            results[tenant_id] = expired
    return results
