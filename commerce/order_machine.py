"""The order status machine, as data and pure functions (no I/O; `commerce.order_status`
applies it to the database).

    placed ─▶ confirmed ─▶ paid ─▶ ready ─▶ out_for_delivery ─▶ delivered
      │  └──────▶ paid      │        │   └──────────▶ delivered (collection)   │
      │   confirmed ─▶ ready (cash)  │                                          │
      └─▶ cancelled ◀── (not paid) ──┘            refunded ◀── (paid) ──────────┘

Guards keep money and goods straight: a paid order is refunded, never cancelled; an order paid
by card or EFT is not packed before it is paid; collection orders skip out_for_delivery and
delivery orders must go out before they are delivered. A cash order counts as paid when it is
delivered (the cash changes hands at the door or the counter).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PAID = "paid"
    READY = "ready"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PLACED: frozenset({Status.CONFIRMED, Status.PAID, Status.CANCELLED}),
    Status.CONFIRMED: frozenset({Status.PAID, Status.READY, Status.CANCELLED}),
    Status.PAID: frozenset({Status.READY, Status.REFUNDED}),
    Status.READY: frozenset(
        {Status.OUT_FOR_DELIVERY, Status.DELIVERED, Status.CANCELLED, Status.REFUNDED}
    ),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED, Status.CANCELLED, Status.REFUNDED}),
    Status.DELIVERED: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
}

FINAL = frozenset({Status.DELIVERED, Status.CANCELLED, Status.REFUNDED})
# Statuses in which the goods are packed (off the shelf) but not yet with the shopper.
PACKED = frozenset({Status.READY, Status.OUT_FOR_DELIVERY})


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the guards look at."""

    status: Status
    paid: bool
    payment_method: str  # cash | card | eft
    fulfilment: str  # delivery | collection


def refusal(order: OrderFacts, wanted: Status) -> str | None:
    """Why `wanted` is not allowed from where the order is, or None when it is."""
    if wanted is Status.CANCELLED and order.paid and order.status not in FINAL:
        return "it is paid: refund it instead"
    if wanted not in TRANSITIONS[order.status]:
        allowed = ", ".join(sorted(TRANSITIONS[order.status])) or "nothing: it is final"
        return f"from {order.status} it can become {allowed}"
    if wanted is Status.REFUNDED and not order.paid:
        return "nothing was paid: cancel it instead"
    if wanted is Status.READY and not order.paid and order.payment_method != "cash":
        return f"it is to be paid by {order.payment_method} and is not paid yet"
    if wanted is Status.OUT_FOR_DELIVERY and order.fulfilment != "delivery":
        return "it is for collection"
    if (
        wanted is Status.DELIVERED
        and order.status is Status.READY
        and order.fulfilment == "delivery"
    ):
        return "a delivery order goes out_for_delivery first"
    return None


def notify_for(actor: str) -> tuple[str, ...]:
    """Who hears about a change: both sides, except the side that made it (it already knows)."""
    side = actor.split(":", 1)[0]
    if side == "customer":
        return ("merchant",)
    if side == "staff":
        return ("shopper",)
    return ("shopper", "merchant")
