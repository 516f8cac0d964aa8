"""Payments: one interface (`PaymentGateway`), several gateways (cash, Paystack, Ozow).

No database here: the order service keeps attempts and processed notification keys, and wires
`settle` (see `settle.py`) into its own transaction. Errors: `errors.py`.
"""

from commerce.payments.base import (
    CustomerHint,
    Notification,
    NotificationKind,
    PaymentGateway,
    PaymentStart,
    PaymentState,
    PaymentStatus,
    RefundResult,
    RefundState,
)
from commerce.payments.cash import CashGateway, CashReceipt, record_cash
from commerce.payments.money import payment_reference
from commerce.payments.ozow import OzowConfig, OzowGateway
from commerce.payments.paystack import PaystackConfig, PaystackGateway
from commerce.payments.settle import (
    ExpectedPayment,
    MemoryLedger,
    NotificationLedger,
    Settlement,
    check_payment,
    confirm_payment,
    settle,
)

__all__ = [
    "CashGateway",
    "CashReceipt",
    "CustomerHint",
    "ExpectedPayment",
    "MemoryLedger",
    "Notification",
    "NotificationKind",
    "NotificationLedger",
    "OzowConfig",
    "OzowGateway",
    "PaymentGateway",
    "PaymentStart",
    "PaymentState",
    "PaymentStatus",
    "PaystackConfig",
    "PaystackGateway",
    "RefundResult",
    "RefundState",
    "Settlement",
    "check_payment",
    "confirm_payment",
    "payment_reference",
    "record_cash",
    "settle",
]
