"""Payments wired into the running bot: the webhook router, the gateways built from the
settings, and `PaymentService.pay_link` for the conversation to send a shopper a link.

Persistence and the rules live in commerce (`commerce.order_payments`); this package only
builds gateways, speaks HTTP and maps outcomes to the answers the gateways expect.
"""

from bot.payments.errors import GatewayNotConfigured, PaymentsSetupError
from bot.payments.gateways import ConfiguredGateways, GatewayDirectory, notify_path
from bot.payments.router import create_router
from bot.payments.service import Answer, PaymentService

__all__ = [
    "Answer",
    "ConfiguredGateways",
    "GatewayDirectory",
    "GatewayNotConfigured",
    "PaymentService",
    "PaymentsSetupError",
    "create_router",
    "notify_path",
]
