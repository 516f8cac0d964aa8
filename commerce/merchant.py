"""The merchant by chat: who may (the shop's registered staff numbers, no one else) and how
an order moves when staff say so.

The dialogue only offers merchant commands to staff; the action server checks again (a forged
or stale conversation must not change prices), and every refused attempt is audited.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import audit, customers
from commerce.db import tenant_transaction
from commerce.errors import IllegalTransition, InvalidInput
from commerce.order_machine import Status, refusal
from commerce.order_status import transition
from commerce.orders import Order, load
from commerce.tenants import is_staff, normalise_phone

REFUSED = "merchant.refused"


def _phone(sender: str) -> str | None:
    try:
        return normalise_phone(sender)
    except InvalidInput:
        return None  # not a phone number (another channel's id): never staff


async def staff_actor(engine: AsyncEngine, tenant_id: UUID, sender: str, action: str) -> str | None:
    """The audit actor (`staff:*4567`) when `sender` is staff of this shop; otherwise None,
    after recording the refused attempt (by customer id when known; never the number)."""
    phone = _phone(sender)
    if phone is not None and await is_staff(engine, tenant_id, phone):
        return audit.staff_actor(phone)
    async with tenant_transaction(engine, tenant_id) as conn:
        known = await customers.find(conn, tenant_id, sender.strip())
        actor = audit.SYSTEM if known is None else audit.customer_actor(known.id)
        details = {"action": action[:64], "sender": f"*{sender.strip()[-4:]}"}
        await audit.record(conn, tenant_id, actor, REFUSED, "shop", details)
    return None


async def move_order(
    engine: AsyncEngine, tenant_id: UUID, order_id: int, wanted: Status, *, actor: str
) -> Order:
    """The merchant moves an order along (ready, out for delivery, delivered).

    Marking a placed order ready also accepts it (placed → confirmed → ready, one transaction):
    no chat command confirms orders, packing one is accepting it, and the shopper hears once,
    about where the order landed. Card and EFT orders still need payment before ready.
    """
    async with tenant_transaction(engine, tenant_id) as conn:
        order = await load(conn, tenant_id, order_id, lock=True)
        if wanted is Status.READY and order.status is Status.PLACED:
            # Refused as it stands (placed), not as the accepted order it would have become.
            why = refusal(replace(order.facts, status=Status.CONFIRMED), wanted)
            if why is not None:
                raise IllegalTransition(order.number, order.status.value, wanted.value, why)
            await transition(
                conn,
                tenant_id,
                order_id,
                Status.CONFIRMED,
                actor=actor,
                reason="accepted by marking it ready",
                announce=False,
            )
        return await transition(conn, tenant_id, order_id, wanted, actor=actor)
