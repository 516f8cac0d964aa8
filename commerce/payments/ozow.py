"""Ozow (instant EFT): payment request with HashCheck, hashed notification, status API.

Protocol (hub.ozow.com, Ozow's WooCommerce plugin): the request fields are hashed in the
documented order with the private key (``HashCheck``); the result comes as a notification POST
to NotifyUrl, hashed in another order (``Hash``); ``GetTransactionByReference`` (``ApiKey``
header) is asked before marking paid, because the notification alone is only a claim.
Amounts are rand text with two decimals ("149.90"); only ZA/ZAR exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from commerce.payments._http import call
from commerce.payments.base import (
    CustomerHint,
    Notification,
    NotificationKind,
    PaymentStart,
    PaymentStatus,
    RefundResult,
)
from commerce.payments.errors import (
    GatewayAuthError,
    GatewayError,
    GatewayRejected,
    MalformedNotification,
    PaymentInputError,
    PaymentNotFound,
    RefundNotSupported,
)
from commerce.payments.money import cents_to_rand_text, check_amount, check_reference, rand_to_cents
from commerce.payments.ozow_parse import notification_fields, pick_transaction, status_state
from commerce.payments.signatures import (
    ozow_notification_hash,
    ozow_request_hash,
    verify_ozow_hash,
)

__all__ = ["OzowConfig", "OzowGateway", "bank_reference"]

NAME = "ozow"
MAX_AMOUNT_CENTS = 999_999_999  # Decimal(9,2)
_NOT_BANK_REFERENCE = re.compile(r"[^A-Za-z0-9 -]+")


@dataclass(frozen=True, slots=True)
class OzowConfig:
    site_code: str
    private_key: str = field(repr=False)
    api_key: str = field(repr=False)
    notify_url: str
    success_url: str | None = None
    cancel_url: str | None = None
    error_url: str | None = None
    # IsTest=true skips the bank; such payments are honoured only when this is true.
    is_test: bool = False
    api_base_url: str = "https://api.ozow.com"
    pay_base_url: str = "https://pay.ozow.com"
    # True: PostPaymentRequest, which can answer a short URL fit for chat. False: a signed
    # redirect URL built locally (no API call; the form flow is the one that honours IsTest).
    use_api: bool = True
    optional1: str | None = None  # echoed back in notifications, e.g. the shop's code

    def __post_init__(self) -> None:
        for name in ("site_code", "private_key", "api_key", "notify_url"):
            if not getattr(self, name):
                raise ValueError(f"Ozow {name} is empty; set it from Ozow's merchant admin")


def bank_reference(reference: str) -> str:
    """What the shopper's statement shows: at most 20 of letters, digits, spaces and dashes.
    The tail is kept, because it holds the order number and attempt."""
    return _NOT_BANK_REFERENCE.sub("", reference)[-20:]


class OzowGateway:
    """`PaymentGateway` for Ozow. `http` is injected (timeouts, transport in tests)."""

    def __init__(self, config: OzowConfig, http: httpx.AsyncClient) -> None:
        self.config = config
        self.http = http

    @property
    def name(self) -> str:
        return NAME

    @property
    def accepts_test_payments(self) -> bool:
        return self.config.is_test

    def _api_headers(self) -> dict[str, str]:
        return {"ApiKey": self.config.api_key, "Accept": "application/json"}

    def request_fields(
        self, reference: str, amount_cents: int, customer_hint: CustomerHint | None = None
    ) -> dict[str, str]:
        """The payment request's fields in hash order, as posted, with their HashCheck."""
        c = self.config
        fields = {
            "SiteCode": c.site_code,
            "CountryCode": "ZA",
            "CurrencyCode": "ZAR",
            "Amount": cents_to_rand_text(amount_cents),
            "TransactionReference": reference,
            "BankReference": bank_reference(reference),
            "Optional1": c.optional1 or "",
            "Customer": ((customer_hint and customer_hint.name) or "")[:100],
            "CancelUrl": c.cancel_url or "",
            "ErrorUrl": c.error_url or "",
            "SuccessUrl": c.success_url or "",
            "NotifyUrl": c.notify_url,
            "IsTest": "true" if c.is_test else "false",
        }
        # Empty fields add nothing to the hash; leaving them out keeps the post minimal.
        posted = {key: value for key, value in fields.items() if value}
        posted["HashCheck"] = ozow_request_hash(posted, c.private_key)
        return posted

    async def start(
        self,
        order_ref: str,
        amount_cents: int,
        currency: str = "ZAR",
        customer_hint: CustomerHint | None = None,
    ) -> PaymentStart:
        reference = check_reference(order_ref)
        check_amount(amount_cents, maximum=MAX_AMOUNT_CENTS)
        if currency.upper() != "ZAR":
            raise PaymentInputError(
                f"Ozow takes only ZAR, got {currency!r}; convert before starting", gateway=NAME
            )
        fields = self.request_fields(reference, amount_cents, customer_hint)
        if not self.config.use_api:
            redirect = f"{self.config.pay_base_url.rstrip('/')}/?{urlencode(fields)}"
            return PaymentStart(NAME, reference, amount_cents, "ZAR", redirect)
        body: dict[str, Any] = {**fields, "IsTest": self.config.is_test, "GenerateShortUrl": True}
        status, payload = await call(
            self.http,
            NAME,
            "POST",
            f"{self.config.api_base_url.rstrip('/')}/PostPaymentRequest",
            headers=self._api_headers(),
            json_body=body,
        )
        result = payload if isinstance(payload, dict) else {}
        self._raise_for(status, result.get("errorMessage"), "PostPaymentRequest")
        url: Any = result.get("url")
        request_id: Any = result.get("paymentRequestId")
        if not isinstance(url, str) or not url:
            raise GatewayError("Ozow PostPaymentRequest answered no url", gateway=NAME)
        return PaymentStart(
            NAME,
            reference,
            amount_cents,
            "ZAR",
            url,
            gateway_id=request_id if isinstance(request_id, str) else None,
        )

    @staticmethod
    def _raise_for(status: int, error_message: Any, action: str) -> None:
        if status in (401, 403):
            raise GatewayAuthError(
                f"Ozow refused {action} (HTTP {status}); check the API key and site code",
                gateway=NAME,
                status=status,
            )
        if status // 100 != 2 or error_message:
            raise GatewayRejected(
                f"Ozow refused {action} (HTTP {status}): {error_message or 'no message'}",
                gateway=NAME,
                status=status,
                gateway_code=str(error_message) if error_message else None,
            )

    def verify_notification(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str] | None = None,
    ) -> Notification:
        """`form`: the posted fields when the web framework parsed them already (or the query
        string, which Ozow's own plugin also accepts); otherwise `raw_body` is parsed."""
        fields = notification_fields(raw_body, headers, form)
        # Our own SiteCode goes into the hash (as Ozow's plugin does): a notification for
        # another site cannot verify. IsTest defaults to "false" like the plugin.
        hashed = {**fields, "SiteCode": self.config.site_code}
        hashed["IsTest"] = fields.get("IsTest") or "false"
        expected = ozow_notification_hash(hashed, self.config.private_key)
        verify_ozow_hash(expected, fields.get("Hash"))
        missing = [
            key
            for key in ("TransactionId", "TransactionReference", "Amount", "Status")
            if not fields.get(key)
        ]
        if missing:
            raise MalformedNotification(
                f"the Ozow notification is hashed but lacks {', '.join(missing)}", gateway=NAME
            )
        try:
            amount = rand_to_cents(fields["Amount"])
        except ValueError as exc:
            raise MalformedNotification(f"Ozow notification: {exc}", gateway=NAME) from exc
        reference, status = fields["TransactionReference"], fields["Status"]
        transaction_id = fields["TransactionId"]
        return Notification(
            gateway=NAME,
            kind=NotificationKind.PAYMENT,
            event=status,
            reference=reference,
            state=status_state(status),
            amount_cents=amount,
            currency=(fields.get("CurrencyCode") or "ZAR").upper(),
            is_test=hashed["IsTest"].lower() == "true",
            # Ozow re-sends notifications and may reuse a reference for a new attempt; the
            # transaction id keeps attempts apart, the status keeps Pending and Complete apart.
            dedupe_key=f"{NAME}:{reference}:{transaction_id}:{status}",
            gateway_transaction_id=transaction_id,
        )

    async def confirm(self, reference: str) -> PaymentStatus:
        check_reference(reference)
        params = {"siteCode": self.config.site_code, "transactionReference": reference}
        if self.config.is_test:
            params["isTest"] = "true"
        status, payload = await call(
            self.http,
            NAME,
            "GET",
            f"{self.config.api_base_url.rstrip('/')}/GetTransactionByReference",
            headers=self._api_headers(),
            params=params,
        )
        if status == 404:
            raise PaymentNotFound(
                f"Ozow has no transaction {reference!r}", gateway=NAME, status=404
            )
        error = payload.get("errorMessage") if isinstance(payload, dict) else None
        self._raise_for(status, error, "GetTransactionByReference")
        found = pick_transaction(payload, reference)
        if found is None:
            raise PaymentNotFound(
                f"Ozow has no transaction {reference!r} for site {self.config.site_code!r}",
                gateway=NAME,
                status=status,
            )
        try:
            amount = rand_to_cents(found.amount)
        except ValueError as exc:
            raise GatewayError(f"Ozow status of {reference!r}: {exc}", gateway=NAME) from exc
        return PaymentStatus(
            gateway=NAME,
            reference=reference,
            state=status_state(found.status),
            amount_cents=amount,
            currency=found.currency,
            is_test=found.is_test if found.is_test is not None else self.config.is_test,
            gateway_status=found.status,
            gateway_transaction_id=found.transaction_id,
        )

    async def refund(
        self, reference: str, amount_cents: int | None = None, reason: str = ""
    ) -> RefundResult:
        raise RefundNotSupported(
            "Ozow refunds are not made through this adapter: Ozow's refund API needs a funded "
            "refund float and its hash formula is not confirmed; refund in Ozow's merchant "
            "admin, then mark the order refunded",
            gateway=NAME,
        )
