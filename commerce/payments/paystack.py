"""Paystack: initialise a transaction, verify webhooks, confirm with Verify, refund.

Protocol (Paystack docs, OpenAPI spec): ``POST /transaction/initialize`` answers an
``authorization_url`` to send in chat; ``charge.success`` webhooks are signed with
``x-paystack-signature``; ``GET /transaction/verify/{reference}`` is asked before marking paid,
because only successful charges produce a webhook and a webhook alone is a claim.
Amounts are integer subunits (cents for ZAR). Every answer is ``{status, message, data}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from commerce.payments._http import call, header_value
from commerce.payments.base import (
    CustomerHint,
    Notification,
    PaymentStart,
    PaymentStatus,
    RefundResult,
)
from commerce.payments.errors import (
    GatewayError,
    MalformedNotification,
    PaymentInputError,
    ReferenceMismatch,
)
from commerce.payments.money import check_amount, check_reference
from commerce.payments.paystack_parse import (
    as_cents,
    gateway_error,
    notification_from_event,
    refund_state,
    transaction_state,
)
from commerce.payments.signatures import PAYSTACK_SIGNATURE_HEADER, verify_paystack_signature

__all__ = ["PAYSTACK_CURRENCIES", "PAYSTACK_WEBHOOK_IPS", "PaystackConfig", "PaystackGateway"]

PAYSTACK_CURRENCIES = frozenset({"GHS", "KES", "NGN", "ZAR", "USD"})
# Paystack sends webhooks only from these (test and live); check them after the signature,
# as defence in depth (behind a proxy the source is in X-Forwarded-For).
PAYSTACK_WEBHOOK_IPS = frozenset({"52.31.139.75", "52.49.173.169", "52.214.14.220"})
NAME = "paystack"


@dataclass(frozen=True, slots=True)
class PaystackConfig:
    secret_key: str = field(repr=False)
    base_url: str = "https://api.paystack.co"
    callback_url: str | None = None  # where the browser goes after paying (proves nothing)
    cancel_url: str | None = None  # sent as metadata.cancel_action
    channels: tuple[str, ...] = ()  # e.g. ("card", "eft"); empty = the dashboard's choice
    # Paystack requires an email; a WhatsApp shopper often has none. Use a domain you own.
    placeholder_email_domain: str = "customers.wakala.invalid"
    # None: decided by the key (sk_live_… = live, which refuses test-mode payments).
    accept_test: bool | None = None

    def __post_init__(self) -> None:
        if not self.secret_key:
            raise ValueError("Paystack secret_key is empty; set it from Settings → API Keys")


class PaystackGateway:
    """`PaymentGateway` for Paystack. `http` is injected (timeouts, transport in tests)."""

    def __init__(self, config: PaystackConfig, http: httpx.AsyncClient) -> None:
        self.config = config
        self.http = http
        self._base = config.base_url.rstrip("/")

    @property
    def name(self) -> str:
        return NAME

    @property
    def accepts_test_payments(self) -> bool:
        if self.config.accept_test is not None:
            return self.config.accept_test
        return not self.config.secret_key.startswith("sk_live_")

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.config.secret_key}",
            "Accept": "application/json",
        }

    async def _call(self, method: str, path: str, action: str, body: Any = None) -> dict[str, Any]:
        status, payload = await call(
            self.http, NAME, method, self._base + path, headers=self._headers(), json_body=body
        )
        if status // 100 != 2 or not isinstance(payload, dict) or payload.get("status") is not True:
            raise gateway_error(status, payload, action)
        data = payload.get("data")
        if not isinstance(data, dict):
            raise GatewayError(
                f"Paystack answered {action} without a data object", gateway=NAME, status=status
            )
        return data

    async def start(
        self,
        order_ref: str,
        amount_cents: int,
        currency: str = "ZAR",
        customer_hint: CustomerHint | None = None,
    ) -> PaymentStart:
        reference = check_reference(order_ref)
        check_amount(amount_cents)
        currency = currency.upper()
        if currency not in PAYSTACK_CURRENCIES:
            raise PaymentInputError(
                f"Paystack does not take currency {currency!r}; use one of "
                f"{sorted(PAYSTACK_CURRENCIES)}",
                gateway=NAME,
            )
        email = (customer_hint and customer_hint.email) or (
            f"{reference.lower()}@{self.config.placeholder_email_domain}"
        )
        metadata: dict[str, Any] = {"order_ref": reference}
        if self.config.cancel_url:
            metadata["cancel_action"] = self.config.cancel_url
        body: dict[str, Any] = {
            "email": email,
            "amount": amount_cents,
            "currency": currency,
            "reference": reference,
            "metadata": metadata,
        }
        if self.config.callback_url:
            body["callback_url"] = self.config.callback_url
        if self.config.channels:
            body["channels"] = list(self.config.channels)
        data = await self._call("POST", "/transaction/initialize", "initialize", body)
        url = data.get("authorization_url")
        if not isinstance(url, str) or not url:
            raise GatewayError("Paystack initialize answered no authorization_url", gateway=NAME)
        if data.get("reference", reference) != reference:
            raise ReferenceMismatch(
                f"Paystack initialised reference {data.get('reference')!r}, not {reference!r}",
                gateway=NAME,
            )
        access_code = data.get("access_code")
        return PaymentStart(
            gateway=NAME,
            reference=reference,
            amount_cents=amount_cents,
            currency=currency,
            pay_url=url,
            gateway_id=access_code if isinstance(access_code, str) else None,
        )

    def verify_notification(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str] | None = None,
    ) -> Notification:
        verify_paystack_signature(
            raw_body, header_value(headers, PAYSTACK_SIGNATURE_HEADER), self.config.secret_key
        )
        try:
            payload = json.loads(raw_body)
        except ValueError as exc:
            raise MalformedNotification(
                "the Paystack webhook body is signed but is not JSON", gateway=NAME
            ) from exc
        return notification_from_event(payload)

    async def confirm(self, reference: str) -> PaymentStatus:
        check_reference(reference)
        data = await self._call("GET", f"/transaction/verify/{quote(reference)}", "verify")
        if data.get("reference") != reference:
            raise ReferenceMismatch(
                f"Paystack verify answered reference {data.get('reference')!r} for {reference!r}",
                gateway=NAME,
            )
        amount = as_cents(data.get("amount"))
        if amount is None:
            raise GatewayError(f"Paystack verify of {reference!r} has no amount", gateway=NAME)
        gateway_status = str(data.get("status", ""))
        paid_at = data.get("paid_at") or data.get("paidAt")
        return PaymentStatus(
            gateway=NAME,
            reference=reference,
            state=transaction_state(gateway_status),
            amount_cents=amount,
            currency=str(data.get("currency", "")).upper(),
            is_test=data.get("domain") == "test",
            gateway_status=gateway_status,
            gateway_transaction_id=str(data["id"]) if data.get("id") is not None else None,
            requested_amount_cents=as_cents(data.get("requested_amount")),
            paid_at=paid_at if isinstance(paid_at, str) else None,
        )

    async def refund(
        self, reference: str, amount_cents: int | None = None, reason: str = ""
    ) -> RefundResult:
        check_reference(reference)
        body: dict[str, Any] = {"transaction": reference}
        if amount_cents is not None:
            body["amount"] = check_amount(amount_cents)
        if reason:
            body["merchant_note"] = reason
        data = await self._call("POST", "/refund", "refund", body)
        refund_id = data.get("id")
        return RefundResult(
            gateway=NAME,
            reference=reference,
            state=refund_state(str(data.get("status", ""))),
            amount_cents=as_cents(data.get("amount")),
            refund_id=str(refund_id) if refund_id is not None else None,
        )
