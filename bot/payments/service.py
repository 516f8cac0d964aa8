"""Payments for the rest of the bot: a pay link for an order, and a gateway's notification
turned into the HTTP answer the gateway expects.

Answers (the adapters' guidance; both gateways re-send until they get a 200):

    401  not proven to come from the gateway (forged, tampered, wrong key): nothing changes
    200  applied; or a replay, a mismatch (held), a reference that is not ours: nothing more
         can come of a re-send
    503  a re-send may succeed (the gateway's API or our database is down, a payment still
         pending at the gateway, our gateway key refused): nothing changed, so retrying is safe
    404  no such shop, or the gateway is not set up here
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.payments.errors import GatewayNotConfigured
from bot.payments.gateways import GatewayDirectory
from commerce.errors import UnknownTenant
from commerce.order_payments import Applied, PaymentLink, apply_notification, start_payment
from commerce.orders import get_order, order_by_number
from commerce.payments.base import CustomerHint, Notification, PaymentGateway
from commerce.payments.errors import (
    GatewayAuthError,
    NotificationRejected,
    OrderNotPayable,
    PaymentError,
    PaymentMismatch,
    ReplayedNotification,
    UnknownPaymentReference,
)
from commerce.shop_admin import tenant_for_code, tenants_for_reference
from commerce.tenants import get_tenant

__all__ = ["Answer", "PaymentService"]

log = logging.getLogger("wakala.payments")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    result: str  # the outcome, or the stable code of why nothing changed


class PaymentService:
    def __init__(
        self, engine: AsyncEngine, gateways: GatewayDirectory, methods: Mapping[str, str]
    ) -> None:
        self.engine = engine  # the app role's: everything runs under the shop's tenant context
        self.gateways = gateways
        self.methods = dict(methods)  # order payment method -> gateway name

    async def link_for(self, tenant_id: UUID, order_number: str) -> tuple[str, int]:
        """For the dialogue: the pay URL and amount of an order named by its number."""
        order = await order_by_number(self.engine, tenant_id, order_number)
        link = await self.pay_link(tenant_id, order.id)
        if not link.pay_url:
            raise OrderNotPayable(f"order {order_number} has no pay link (a cash order?)")
        return link.pay_url, link.amount_cents

    async def pay_link(
        self,
        tenant_id: UUID,
        order_id: int,
        *,
        fresh: bool = False,
        customer_hint: CustomerHint | None = None,
    ) -> PaymentLink:
        """The link to send the shopper for an order paid by card or EFT (the same link again
        while that attempt is pending). Raises `OrderNotPayable` (cash, paid, closed or
        expired), `GatewayNotConfigured`, or the gateway's `PaymentError`."""
        order = await get_order(self.engine, tenant_id, order_id)
        name = self.methods.get(order.payment_method)
        if name is None:
            raise OrderNotPayable(
                f"order {order.number} is paid by {order.payment_method}: no link to send"
            )
        tenant = await get_tenant(self.engine, tenant_id)
        gateway = self.gateways.get(name, tenant.code)
        return await start_payment(
            self.engine, tenant_id, order_id, gateway, fresh=fresh, customer_hint=customer_hint
        )

    async def receive(
        self,
        gateway_name: str,
        tenant_code: str | None,
        raw_body: bytes,
        headers: Mapping[str, str],
    ) -> Answer:
        """Verify a notification on its raw bytes, apply it, and say what to answer.

        `tenant_code` None: the account-wide URL (one Paystack account, one webhook URL for
        every shop); the shop is then found from the payment reference."""
        try:
            shops = [] if tenant_code is None else [await tenant_for_code(self.engine, tenant_code)]
            gateway = self.gateways.get(gateway_name, (tenant_code or "").upper())
        except (UnknownTenant, GatewayNotConfigured) as exc:
            log.warning("payment notification for nobody", extra={"event": "payment.nobody"})
            return Answer(404, "tenant.unknown" if isinstance(exc, UnknownTenant) else exc.code)
        except (SQLAlchemyError, OSError):
            log.exception("database unavailable", extra={"event": "payment.unavailable"})
            return Answer(503, "database.unavailable")
        where = {"gateway": gateway_name, "shop": tenant_code or "*"}
        try:
            notification = gateway.verify_notification(raw_body, headers)
        except NotificationRejected as exc:
            log.warning("refused notification", extra={"event": exc.code, **where})
            return Answer(401, exc.code)
        where["reference"] = notification.reference
        try:
            if tenant_code is None:
                shops = await tenants_for_reference(self.engine, notification.reference)
            applied = await self._apply(shops, gateway, notification)
        except (UnknownPaymentReference, ReplayedNotification, PaymentMismatch) as exc:
            log.info("notification changed nothing", extra={"event": exc.code, **where})
            return Answer(200, exc.code)
        except GatewayAuthError as exc:
            # Our key is wrong: fixing the settings makes the gateway's re-send succeed.
            log.error("gateway refused our key", extra={"event": exc.code, **where})
            return Answer(503, exc.code)
        except PaymentError as exc:
            log.warning("notification not applied", extra={"event": exc.code, **where})
            return Answer(503 if exc.retryable else 200, exc.code)
        except (SQLAlchemyError, OSError):
            log.exception("database unavailable", extra={"event": "payment.unavailable", **where})
            return Answer(503, "database.unavailable")
        log.info("notification applied", extra={"event": f"payment.{applied.outcome}", **where})
        return Answer(200, applied.outcome.value)

    async def _apply(
        self, shops: list[UUID], gateway: PaymentGateway, notification: Notification
    ) -> Applied:
        """Apply in the shop that started the reference (RLS hides it from the others)."""
        for tenant_id in shops:
            try:
                return await apply_notification(self.engine, tenant_id, gateway, notification)
            except UnknownPaymentReference:
                continue
        raise UnknownPaymentReference(
            f"no shop started a payment with reference {notification.reference!r}",
            gateway=gateway.name,
        )
