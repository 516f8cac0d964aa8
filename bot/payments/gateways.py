"""Which gateway object serves which shop, built from the settings.

The deployment has one merchant account per gateway (its keys are settings). Each shop still
gets its own notification URL, which names the shop (`/payments/ozow/{code}/notify`), and its
code in Ozow's Optional1. Per-shop merchant accounts would plug in here: another
`GatewayDirectory` that reads a shop's keys.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from bot.payments.errors import GatewayNotConfigured
from bot.settings import Settings
from commerce.payments import (
    OzowConfig,
    OzowGateway,
    PaymentGateway,
    PaystackConfig,
    PaystackGateway,
)

__all__ = ["RETURN_PATH", "ConfiguredGateways", "GatewayDirectory", "notify_path"]

RETURN_PATH = "/payments/return"  # where the shopper's browser lands after paying


def notify_path(gateway: str, tenant_code: str) -> str:
    """The path a gateway posts a shop's notifications to (the router serves these)."""
    if gateway == "ozow":
        return f"/payments/ozow/{tenant_code}/notify"
    return f"/payments/{gateway}/{tenant_code}"


class GatewayDirectory(Protocol):
    def names(self) -> frozenset[str]: ...

    def get(self, name: str, tenant_code: str) -> PaymentGateway:
        """The gateway `name` for the shop; raises `GatewayNotConfigured`."""
        ...


@dataclass
class ConfiguredGateways:
    """`GatewayDirectory` over one account per gateway. `ozow.notify_url` and `optional1` are
    replaced per shop."""

    http: httpx.AsyncClient
    payments_url: str  # public base URL of the payments router, no trailing slash
    paystack: PaystackConfig | None = None
    ozow: OzowConfig | None = None
    _ozow_by_shop: dict[str, OzowGateway] = field(default_factory=dict, repr=False)
    _paystack: PaystackGateway | None = field(default=None, repr=False)

    def names(self) -> frozenset[str]:
        found = {"paystack": self.paystack, "ozow": self.ozow}
        return frozenset(name for name, config in found.items() if config is not None)

    def get(self, name: str, tenant_code: str) -> PaymentGateway:
        if name == "paystack" and self.paystack is not None:
            if self._paystack is None:
                self._paystack = PaystackGateway(self.paystack, self.http)
            return self._paystack
        if name == "ozow" and self.ozow is not None:
            found = self._ozow_by_shop.get(tenant_code)
            if found is None:
                config = dataclasses.replace(
                    self.ozow,
                    notify_url=self.payments_url + notify_path("ozow", tenant_code),
                    optional1=tenant_code,
                )
                found = self._ozow_by_shop[tenant_code] = OzowGateway(config, self.http)
            return found
        raise GatewayNotConfigured(name, self.names())

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.AsyncClient) -> ConfiguredGateways:
        base = settings.payments_url
        back = base + RETURN_PATH
        paystack = None
        if settings.paystack_secret_key is not None:
            paystack = PaystackConfig(
                secret_key=settings.paystack_secret_key.get_secret_value(),
                base_url=settings.paystack_base_url,
                callback_url=settings.paystack_callback_url or back,
            )
        ozow = None
        if settings.ozow_site_code:
            private, api = settings.ozow_private_key, settings.ozow_api_key
            ozow = OzowConfig(
                site_code=settings.ozow_site_code,
                private_key=private.get_secret_value() if private else "",
                api_key=api.get_secret_value() if api else "",
                notify_url=base + "/payments/ozow",  # replaced per shop
                success_url=settings.ozow_success_url or back,
                cancel_url=settings.ozow_cancel_url or back,
                error_url=settings.ozow_error_url or back,
                is_test=settings.ozow_is_test,
                api_base_url=settings.ozow_api_base_url,
                pay_base_url=settings.ozow_pay_base_url,
            )
        return cls(http, base, paystack, ozow)
