"""Errors of the commerce domain. One tree; callers catch the base or a branch.

CommerceError
├── TenantContextError      no tenant, or the wrong one, for a tenant-scoped operation
├── NotFound                a tenant, channel, product, cart line or order that does not exist
│   ├── UnknownChannel      a WhatsApp phone_number_id that no shop owns
│   ├── UnknownTenant       a shop code that no shop has
│   ├── ProductNotFound     no such product in this shop (or it is no longer sold)
│   ├── NotInCart           the product is not in the shopper's cart
│   └── OrderNotFound       no such order in this shop (for this shopper)
├── Conflict                a unique key already taken (shop code, number, SKU, message id)
├── Refused                 a request the shop's rules refuse in the current state
│   ├── OutOfStock          fewer units available than asked for
│   ├── EmptyCart           checkout with nothing in the cart
│   ├── IllegalTransition   an order status change the order machine does not allow
│   └── ErasureBlocked      a shopper's data cannot be erased while an order is still open
└── InvalidInput            a value the domain refuses (negative price, empty name)
    └── InsufficientTender  cash handed over is less than the amount due
"""

from __future__ import annotations


class CommerceError(Exception):
    """Base of every error raised by `commerce`."""


class TenantContextError(CommerceError):
    pass


class NotFound(CommerceError):
    pass


class UnknownChannel(NotFound):
    def __init__(self, phone_number_id: str) -> None:
        super().__init__(f"no shop owns WhatsApp phone_number_id {phone_number_id!r}")
        self.phone_number_id = phone_number_id


class UnknownTenant(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(f"no shop has the code {code!r}")
        self.shop_code = code  # not `code`: payment errors use that name for a stable error id


class ProductNotFound(NotFound):
    def __init__(self, product_id: int) -> None:
        super().__init__(f"product {product_id} is not sold by this shop")
        self.product_id = product_id


class NotInCart(NotFound):
    def __init__(self, product_id: int) -> None:
        super().__init__(f"product {product_id} is not in the cart")
        self.product_id = product_id


class OrderNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"order {reference} does not exist in this shop")
        self.reference = reference


class Conflict(CommerceError):
    pass


class Refused(CommerceError):
    """The request is well formed but the shop's rules refuse it right now."""


class OutOfStock(Refused):
    def __init__(
        self,
        product_id: int,
        requested: int,
        available: int,
        names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            f"product {product_id}: {requested} requested but only {available} available"
        )
        self.product_id = product_id
        self.requested = requested
        self.available = available
        self.names = names or {}

    def name(self, language: str) -> str:
        """The product's name for telling the shopper ("" when unknown)."""
        return self.names.get(language) or self.names.get("en", "")


class EmptyCart(Refused):
    def __init__(self) -> None:
        super().__init__("the cart is empty: add a product before checking out")


class IllegalTransition(Refused):
    def __init__(self, order_number: str, current: str, wanted: str, why: str = "") -> None:
        reason = why or f"allowed from {current}: see commerce.order_machine.TRANSITIONS"
        super().__init__(f"order {order_number} is {current} and cannot become {wanted} ({reason})")
        self.order_number = order_number
        self.current = current
        self.wanted = wanted


class ErasureBlocked(Refused):
    def __init__(self, open_orders: list[str]) -> None:
        super().__init__(
            "a shopper's data cannot be erased while orders are open: finish, cancel or refund "
            + ", ".join(open_orders)
            + " first"
        )
        self.open_orders = open_orders


class InvalidInput(CommerceError):
    pass


class InsufficientTender(InvalidInput):
    def __init__(self, due_cents: int, tendered_cents: int) -> None:
        super().__init__(
            f"cash tendered ({tendered_cents} cents) is less than the amount due "
            f"({due_cents} cents): ask for {due_cents - tendered_cents} cents more"
        )
        self.due_cents = due_cents
        self.tendered_cents = tendered_cents
