"""A local fake of Paystack's transaction API, recording every request and pushing webhooks.

It speaks the documented protocol (shared FACTS.md §P1-P6): bearer secret key, the
``{status, message, data}`` envelope, ``POST /transaction/initialize`` (cents, currency,
reference rules, duplicate references refused), ``GET /transaction/verify/{reference}`` with
the documented data shape, ``POST /refund``, and ``charge.success`` / ``refund.processed``
webhooks signed with ``x-paystack-signature`` (HMAC-SHA512 of the exact bytes sent).

Paying: open ``authorization_url`` (a small checkout page) or call `pay` / ``POST
/_fake/pay/{reference}``. `fail_next` makes the next API calls answer 5xx, to test retries.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import json
import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import FastAPI, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from commerce.payments.signatures import PAYSTACK_SIGNATURE_HEADER, paystack_signature

__all__ = ["DeliveredWebhook", "FakeTransaction", "PaystackFake", "RecordedRequest"]

Outcome = Literal["success", "failed", "abandoned"]
_Auth = Annotated[str | None, Header()]
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]+$")
_ALPHABET = string.ascii_lowercase + string.digits


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _token(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _fail(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": False, "message": message, **extra}, status_code=status)


def _ok(message: str, data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"status": True, "message": message, "data": data})


# Error bodies as documented (the envelope's extra keys).
_INVALID: dict[str, Any] = {"type": "validation_error", "code": "invalid_params"}
_MISSING_PARAMS = _INVALID | {"code": "missing_params"}
# Verbatim, with the trailing no-break space of Paystack's sample.
_MISSING_PARAMS["meta"] = {"nextStep": "Provide all required params\u00a0"}
_DUPLICATE = _INVALID | {"code": "duplicate_reference", "errorCodeMappingNotFound": False}
_DUPLICATE["meta"] = {"nextStep": "Try and create the Transaction or Charge with a new reference"}
_REFUND_CONSTANTS: dict[str, Any] = {"integration": 1, "deducted_amount": 0, "channel": None}
_REFUND_CONSTANTS |= {"refunded_by": "fake", "fully_deducted": False}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API call as received; the Authorization header is reduced to whether it matched."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorized: bool


@dataclass
class FakeTransaction:
    id: int
    reference: str
    access_code: str
    amount: int  # requested, in subunits
    currency: str
    email: str
    metadata: Any
    callback_url: str | None
    domain: str
    created_at: str = field(default_factory=_now)
    status: str = "abandoned"  # Paystack's word for "initialised, not paid"
    charged: int | None = None
    paid_at: str | None = None

    def customer(self) -> dict[str, Any]:
        code = f"CUS_{self.access_code}"
        return {**_CUSTOMER, "id": self.id, "email": self.email, "customer_code": code}

    def authorization(self) -> dict[str, Any]:
        if self.paid_at is None:
            return {}
        code = self.access_code
        return {**_CARD, "authorization_code": f"AUTH_{code}", "signature": f"SIG_{code}"}

    def event_data(self) -> dict[str, Any]:
        """``data`` of a ``charge.success`` event (the documented sample's keys)."""
        amount = self.charged if self.charged is not None else self.amount
        return {
            "id": self.id,
            "domain": self.domain,
            "status": self.status,
            "reference": self.reference,
            "amount": amount,
            "message": None,
            "gateway_response": _GATEWAY_RESPONSES.get(self.status, "Successful"),
            "paid_at": self.paid_at,
            "created_at": self.created_at,
            "channel": "card",
            "currency": self.currency,
            "ip_address": "127.0.0.1",
            "metadata": self.metadata,
            "log": None,
            "fees": amount - self.amount if self.paid_at else None,
            "customer": self.customer(),
            "authorization": self.authorization(),
            "plan": {},
        }

    def verify_data(self) -> dict[str, Any]:
        """``data`` of a Verify answer (the documented sample's keys)."""
        return {
            **self.event_data(),
            **_VERIFY_CONSTANTS,
            "paidAt": self.paid_at,
            "createdAt": self.created_at,
            "requested_amount": self.amount,
            "transaction_date": self.created_at,
        }


# Keys of the documented samples whose values the fake does not vary.
_CUSTOMER: dict[str, Any] = {"first_name": None, "last_name": None, "phone": None, "metadata": None}
_CUSTOMER |= {"risk_action": "default", "international_format_phone": None}
_CARD: dict[str, Any] = {"bin": "408408", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
_CARD |= {"channel": "card", "card_type": "visa ", "bank": "TEST BANK", "country_code": "ZA"}
_CARD |= {"brand": "visa", "reusable": True, "account_name": None}
_VERIFY_CONSTANTS: dict[str, Any] = {
    "receipt_number": None,
    "fees_split": None,
    "split": {},
    "order_id": None,
}
_VERIFY_CONSTANTS |= {"pos_transaction_data": None, "source": None, "fees_breakdown": None}
_VERIFY_CONSTANTS |= {"connect": None, "plan_object": {}, "subaccount": {}}
_GATEWAY_RESPONSES = {
    "success": "Successful",
    "failed": "Declined",
    "abandoned": "The transaction was not completed",
    "reversed": "Refunded",
}


@dataclass(frozen=True, slots=True)
class DeliveredWebhook:
    event: str
    url: str
    body: bytes
    signature: str
    status_code: int | None  # None: the receiver did not answer
    error: str | None = None


@dataclass
class PaystackFake:
    """The state behind the fake's HTTP app. Use one per test; `app()` serves it."""

    # The fake's own test key (not a secret); tests set their own.
    secret_key: str = field(default="sk_test_wakala_fake_secret", repr=False)
    webhook_url: str | None = None
    public_url: str = "http://127.0.0.1"  # where authorization_url points (this app)
    currencies: frozenset[str] = frozenset({"ZAR"})
    default_currency: str = "ZAR"
    not_found_status: int = 400  # live Paystack; the OpenAPI spec says 404
    http: httpx.AsyncClient | None = None  # for webhooks; a fresh client when None
    requests: list[RecordedRequest] = field(default_factory=list)
    transactions: dict[str, FakeTransaction] = field(default_factory=dict)
    refunds: dict[int, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[DeliveredWebhook] = field(default_factory=list)
    _failures: collections.deque[int] = field(default_factory=collections.deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(4_100_000_001))

    @property
    def domain(self) -> str:
        return "live" if self.secret_key.startswith("sk_live_") else "test"

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """Answer the next `count` API calls with `status` and no body (Paystack's 5xx)."""
        self._failures.extend([status] * count)

    # -- paying and webhooks ------------------------------------------------------------

    def by_access_code(self, access_code: str) -> FakeTransaction | None:
        return next((t for t in self.transactions.values() if t.access_code == access_code), None)

    async def pay(
        self,
        reference: str,
        outcome: Outcome = "success",
        *,
        fees_cents: int = 0,
        notify: bool = True,
    ) -> DeliveredWebhook | None:
        """The shopper finishes checkout. Only success sends a webhook (as Paystack does)."""
        transaction = self.transactions[reference]
        transaction.status = outcome
        if outcome == "success":
            transaction.charged = transaction.amount + fees_cents
            transaction.paid_at = _now()
        if outcome == "success" and notify:
            return await self.send_event("charge.success", transaction.event_data())
        return None

    def event_body(self, event: str, data: dict[str, Any]) -> bytes:
        return json.dumps({"event": event, "data": data}, separators=(",", ":")).encode()

    async def send_event(self, event: str, data: dict[str, Any]) -> DeliveredWebhook:
        return await self.send_webhook(self.event_body(event, data), event=event)

    async def resend(self, index: int = -1) -> DeliveredWebhook:
        """Deliver an earlier webhook again, byte for byte (Paystack retries exactly so)."""
        earlier = self.webhooks[index]
        return await self.send_webhook(earlier.body, event=earlier.event)

    async def send_webhook(
        self,
        body: bytes,
        *,
        event: str = "charge.success",
        signature: str | None = None,
        url: str | None = None,
    ) -> DeliveredWebhook:
        """POST `body` signed with the secret key (or with `signature`, to forge one)."""
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("PaystackFake.webhook_url is not set: nowhere to send webhooks")
        signed = signature if signature is not None else paystack_signature(body, self.secret_key)
        headers = {"Content-Type": "application/json", PAYSTACK_SIGNATURE_HEADER: signed}
        client = self.http or httpx.AsyncClient(timeout=30)  # Paystack waits 30 s in test mode
        try:
            response = await client.post(target, content=body, headers=headers)
            delivered = DeliveredWebhook(event, target, body, signed, response.status_code)
        except httpx.HTTPError as exc:
            delivered = DeliveredWebhook(event, target, body, signed, None, repr(exc))
        finally:
            if self.http is None:
                await client.aclose()
        self.webhooks.append(delivered)
        return delivered

    async def process_refund(self, refund_id: int, *, notify: bool = True) -> None:
        refund = self.refunds[refund_id]
        refund["status"] = "processed"
        transaction = self.transactions[refund["transaction"]["reference"]]
        transaction.status = "reversed"
        if notify:
            data = {
                "status": "processed",
                "transaction_reference": transaction.reference,
                "refund_reference": f"RF{refund_id}",
                "amount": str(refund["amount"]),  # a string, as in Paystack's sample
                "currency": transaction.currency,
                "processor": "fake",
                "customer": {"first_name": None, "last_name": None, "email": transaction.email},
                "integration": 1,
                "domain": self.domain,
            }
            await self.send_event("refund.processed", data)

    # -- the API --------------------------------------------------------------------------

    def _initialize(self, body: dict[str, Any]) -> JSONResponse:
        email, amount = body.get("email"), body.get("amount")
        if not email:
            return _fail(400, "Email Address is required", **_MISSING_PARAMS)
        if isinstance(amount, str) and amount.isdigit():
            amount = int(amount)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return _fail(400, "Invalid Amount Sent", **_INVALID)
        currency = str(body.get("currency") or self.default_currency).upper()
        if currency not in self.currencies:
            return _fail(400, "Currency not supported by merchant")
        reference = str(body.get("reference") or _token())
        if not _REFERENCE.fullmatch(reference):
            return _fail(400, "Only -, ., = and alphanumeric characters allowed", **_INVALID)
        if reference in self.transactions:
            return _fail(400, "Duplicate Transaction Reference", **_DUPLICATE)
        access_code = _token(15)
        self.transactions[reference] = FakeTransaction(
            id=next(self._ids),
            reference=reference,
            access_code=access_code,
            amount=amount,
            currency=currency,
            email=str(email),
            metadata=body.get("metadata") or "",
            callback_url=body.get("callback_url"),
            domain=self.domain,
        )
        url = f"{self.public_url.rstrip('/')}/checkout/{access_code}"
        data = {"authorization_url": url, "access_code": access_code, "reference": reference}
        return _ok("Authorization URL created", data)

    def _refund(self, body: dict[str, Any]) -> JSONResponse:
        key = str(body.get("transaction", ""))
        transaction = self.transactions.get(key) or next(
            (t for t in self.transactions.values() if str(t.id) == key), None
        )
        if transaction is None:
            return _fail(self.not_found_status, "Transaction reference not found")
        if transaction.status != "success":
            return _fail(400, "Transaction has not been paid, so it cannot be refunded")
        amount = body.get("amount", transaction.amount)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return _fail(400, "Invalid Amount Sent")
        if amount > transaction.amount:
            return _fail(400, "Refund amount cannot be more than the transaction amount")
        refund_id = next(self._ids)
        refund = {
            **_REFUND_CONSTANTS,
            "transaction": {"id": transaction.id, "reference": transaction.reference},
            "merchant_note": body.get("merchant_note", ""),
            "customer_note": body.get("customer_note", ""),
            "status": "pending",
            "currency": transaction.currency,
            "domain": self.domain,
            "amount": amount,
            "id": refund_id,
        } | dict.fromkeys(("expected_at", "createdAt", "updatedAt"), _now())
        self.refunds[refund_id] = refund
        return _ok("Refund has been queued for processing", refund)

    async def _record(self, request: Request, authorization: str | None) -> RecordedRequest:
        raw = await request.body()
        body: Any = None
        if raw:
            if "form" in request.headers.get("content-type", ""):
                body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        record = RecordedRequest(
            request.method,
            request.url.path,
            dict(request.query_params),
            body,
            authorization == f"Bearer {self.secret_key}",
        )
        self.requests.append(record)
        return record

    def app(self) -> FastAPI:
        app = FastAPI(title="Paystack fake", version="1")

        async def guard(request: Request, authorization: str | None) -> tuple[Any, Response | None]:
            record = await self._record(request, authorization)
            if self._failures:
                return None, Response(status_code=self._failures.popleft())
            if not record.authorized:
                return None, _fail(401, "Invalid key")
            return record.body, None

        @app.post("/transaction/initialize")
        async def initialize(request: Request, authorization: _Auth = None) -> Response:
            body, refused = await guard(request, authorization)
            if refused:
                return refused
            return self._initialize(body if isinstance(body, dict) else {})

        @app.get("/transaction/verify/{reference}")
        async def verify(reference: str, request: Request, authorization: _Auth = None) -> Response:
            _, refused = await guard(request, authorization)
            if refused:
                return refused
            transaction = self.transactions.get(reference)
            if transaction is None:
                return _fail(self.not_found_status, "Transaction reference not found")
            return _ok("Verification successful", transaction.verify_data())

        @app.post("/refund")
        async def refund(request: Request, authorization: _Auth = None) -> Response:
            body, refused = await guard(request, authorization)
            if refused:
                return refused
            return self._refund(body if isinstance(body, dict) else {})

        self._checkout_routes(app)

        @app.post("/_fake/pay/{reference}")
        async def fake_pay(reference: str, outcome: Outcome = "success") -> dict[str, Any]:
            if reference not in self.transactions:
                return {"ok": False, "error": f"no transaction {reference!r}"}
            delivered = await self.pay(reference, outcome)
            return {"ok": True, "webhook_status": delivered.status_code if delivered else None}

        @app.get("/_fake/requests")
        async def fake_requests() -> dict[str, Any]:
            return {"requests": [dataclasses.asdict(record) for record in self.requests]}

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        return app

    def _checkout_routes(self, app: FastAPI) -> None:
        @app.get("/checkout/{access_code}", response_class=HTMLResponse)
        async def checkout(access_code: str) -> Response:
            transaction = self.by_access_code(access_code)
            if transaction is None:
                return HTMLResponse("<h1>Unknown or expired checkout</h1>", status_code=404)
            rand = f"{transaction.currency} {transaction.amount / 100:.2f}"
            buttons = "".join(
                f'<form method="post" action="/checkout/{access_code}/{o}">'
                f'<button type="submit">{o}</button></form>'
                for o in ("success", "failed", "abandoned")
            )
            return HTMLResponse(f"<h1>Pay {rand}</h1><p>{transaction.reference}</p>{buttons}")

        @app.post("/checkout/{access_code}/{outcome}")
        async def checkout_pay(access_code: str, outcome: Outcome) -> Response:
            transaction = self.by_access_code(access_code)
            if transaction is None:
                return HTMLResponse("<h1>Unknown or expired checkout</h1>", status_code=404)
            await self.pay(transaction.reference, outcome)
            if transaction.callback_url:
                # Paystack appends both names for the reference.
                query = urlencode(
                    {"trxref": transaction.reference, "reference": transaction.reference}
                )
                separator = "&" if "?" in transaction.callback_url else "?"
                return RedirectResponse(f"{transaction.callback_url}{separator}{query}", 303)
            return HTMLResponse(f"<h1>Payment {outcome}</h1>")
