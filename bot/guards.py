"""Guards the flows name in `conditions:`; pure functions of the facts a worker gathers."""

from __future__ import annotations

from dialogue.engine import Guard, TurnFacts


def is_staff(facts: TurnFacts) -> bool:
    return facts.is_staff


def shop_closed(facts: TurnFacts) -> bool:
    return facts.slots.get("shop_is_open") is False


def has_cart(facts: TurnFacts) -> bool:
    """Cart actions keep `cart_count` current; unknown (a new conversation, or a record that
    expired) counts as no, and checkout shows the cart instead, which says what is in it."""
    count = facts.slots.get("cart_count")
    return isinstance(count, int | float) and count > 0


def names_quantity(facts: TurnFacts) -> bool:
    return facts.entities.get("quantity") not in (None, "")


def names_product(facts: TurnFacts) -> bool:
    """The catalogue (or a tapped row) decided which product: worth asking how many."""
    return facts.entities.get("product_id") not in (None, "")


def has_order(facts: TurnFacts) -> bool:
    return bool(facts.slots.get("order_number"))


GUARDS: dict[str, Guard] = {
    "names_product": names_product,
    "has_order": has_order,
    "is_staff": is_staff,
    "shop_closed": shop_closed,
    "has_cart": has_cart,
    "names_quantity": names_quantity,
}
