"""Errors of the payments wiring. The payment errors themselves are commerce's
(`commerce.payments.errors`); these are about how this deployment is set up::

    WakalaError
    └── PaymentsSetupError        WAK020
        └── GatewayNotConfigured  WAK021  the gateway's keys are not set, or it is unknown
"""

from __future__ import annotations

from bot.errors import WakalaError

__all__ = ["GatewayNotConfigured", "PaymentsSetupError"]


class PaymentsSetupError(WakalaError):
    code = "WAK020"


class GatewayNotConfigured(PaymentsSetupError):
    code = "WAK021"

    def __init__(self, name: str, configured: frozenset[str]) -> None:
        offered = ", ".join(sorted(configured)) or "none"
        super().__init__(
            f"payment gateway {name!r} is not configured (configured: {offered}); set its "
            f"WAKALA_{name.upper()}_* keys"
        )
        self.name = name
