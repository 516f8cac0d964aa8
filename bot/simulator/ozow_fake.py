"""A local fake of Ozow's payment page and API, recording every request and posting notifications.

It speaks the documented protocol (shared FACTS.md §O1-O6): the payment request as a form post
or query string to ``/`` or as JSON to ``POST /PostPaymentRequest`` (``ApiKey`` header,
PascalCase or camelCase keys), each checked against its SHA-512 ``HashCheck``; the result
posted form-encoded to NotifyUrl with its ``Hash``; ``GET /GetTransactionByReference`` and
``GET /GetTransaction`` (``ApiKey`` header) answering the confirmed camelCase keys. Test
transactions (IsTest=true) are listed only when ``isTest=true`` is asked, as documented.

Paying: open the payment URL (a small page with one button per status) or call `pay` /
``POST /_fake/pay/{reference}``. `fail_next` makes the next API calls answer 5xx.
"""

from __future__ import annotations

import collections
import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import FastAPI, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from commerce.payments._http import parse_json
from commerce.payments.signatures import (
    OZOW_NOTIFICATION_ORDER,
    OZOW_REQUEST_ORDER,
    ozow_notification_hash,
    ozow_request_hash,
)

__all__ = ["DeliveredNotification", "OzowFake", "OzowFakeTransaction", "RecordedRequest"]

Status = Literal["Complete", "Cancelled", "Error", "Abandoned", "PendingInvestigation", "Pending"]
_ApiKey = Annotated[str | None, Header(alias="ApiKey")]
_AMOUNT = re.compile(r"^\d{1,7}\.\d{2}$")
_BANK_REFERENCE = re.compile(r"^[A-Za-z0-9 -]{1,20}$")
_CANONICAL = {name.lower(): name for name in (*OZOW_REQUEST_ORDER, "HashCheck", "GenerateShortUrl")}
_REDIRECT = {"Complete": "SuccessUrl", "Cancelled": "CancelUrl", "Error": "ErrorUrl"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorized: bool  # the ApiKey matched (the key itself is not kept)


@dataclass
class OzowFakeTransaction:
    transaction_id: str
    payment_request_id: str
    fields: dict[str, str]  # the request as posted (canonical names, text values)
    status: str = "Pending"
    status_message: str = ""
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def reference(self) -> str:
        return self.fields["TransactionReference"]

    @property
    def is_test(self) -> bool:
        return self.fields.get("IsTest", "false").lower() == "true"

    def as_api(self) -> dict[str, Any]:
        """The status API's object: the keys public clients read, amount as a number."""
        return {
            "transactionId": self.transaction_id,
            "siteCode": self.fields["SiteCode"],
            "transactionReference": self.reference,
            "currencyCode": self.fields.get("CurrencyCode", "ZAR"),
            "amount": float(Decimal(self.fields["Amount"])),
            "status": self.status,
            "statusMessage": self.status_message,
            "createdDate": self.created,
            "isTest": self.is_test,
        }


@dataclass(frozen=True, slots=True)
class DeliveredNotification:
    url: str
    fields: dict[str, str]
    body: bytes
    status_code: int | None  # None: the receiver did not answer
    error: str | None = None


@dataclass
class OzowFake:
    """The state behind the fake's HTTP app. Use one per test; `app()` serves it."""

    site_code: str = "TSTSTE0001"
    private_key: str = field(
        default="wakala-fake-private-key", repr=False
    )  # lowercased in hashes, as Ozow does
    api_key: str = field(default="wakala-fake-api-key", repr=False)
    public_url: str = "http://127.0.0.1"  # where payment URLs point (this app)
    http: httpx.AsyncClient | None = None  # for notifications; a fresh client when None
    requests: list[RecordedRequest] = field(default_factory=list)
    transactions: dict[str, OzowFakeTransaction] = field(default_factory=dict)
    notifications: list[DeliveredNotification] = field(default_factory=list)
    _failures: collections.deque[int] = field(default_factory=collections.deque)

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """Answer the next `count` API calls with `status` and no body."""
        self._failures.extend([status] * count)

    def find(self, key: str) -> OzowFakeTransaction:
        """A transaction by payment request id, transaction id or (latest) reference."""
        if key in self.transactions:
            return self.transactions[key]
        matches = [t for t in self.transactions.values() if key in (t.reference, t.transaction_id)]
        if not matches:
            raise KeyError(f"no Ozow fake transaction {key!r}")
        return matches[-1]

    # -- requests -----------------------------------------------------------------------

    def _create(self, posted: dict[str, Any]) -> OzowFakeTransaction | str:
        """Validate a payment request; a transaction, or Ozow's errorMessage (≤ 50 chars)."""
        fields = {_CANONICAL.get(k.lower(), k): _text(v) for k, v in posted.items()}
        get = fields.get
        checks = {
            "SiteCode": get("SiteCode") == self.site_code,
            "CountryCode": get("CountryCode") == "ZA",
            "CurrencyCode": get("CurrencyCode") == "ZAR",
            "Amount": bool(_AMOUNT.fullmatch(get("Amount", ""))),
            "TransactionReference": 0 < len(get("TransactionReference", "")) <= 50,
            "BankReference": bool(_BANK_REFERENCE.fullmatch(get("BankReference", ""))),
        }
        invalid = next((name for name, ok in checks.items() if not ok), None)
        if invalid:
            return f"Invalid {invalid}"
        if fields.get("HashCheck", "").lower() != ozow_request_hash(fields, self.private_key):
            return "HashCheck does not match"
        request_id = str(uuid.uuid4())
        transaction = OzowFakeTransaction(str(uuid.uuid4()), request_id, fields)
        self.transactions[request_id] = transaction
        return transaction

    def payment_url(self, transaction: OzowFakeTransaction) -> str:
        return f"{self.public_url.rstrip('/')}/{transaction.payment_request_id}/Secure"

    # -- paying and notifications -------------------------------------------------------

    def notification_fields(
        self, transaction: OzowFakeTransaction, *, private_key: str | None = None
    ) -> dict[str, str]:
        """The notification in hash order with its Hash (`private_key` to forge one)."""
        posted = transaction.fields
        values = {
            "SiteCode": self.site_code,
            "TransactionId": transaction.transaction_id,
            "TransactionReference": transaction.reference,
            "Amount": posted["Amount"],
            "Status": transaction.status,
            **{f"Optional{i}": posted.get(f"Optional{i}", "") for i in range(1, 6)},
            "CurrencyCode": posted.get("CurrencyCode", "ZAR"),
            "IsTest": "true" if transaction.is_test else "false",
            "StatusMessage": transaction.status_message,
        }
        ordered = {name: values[name] for name in OZOW_NOTIFICATION_ORDER}
        ordered["Hash"] = ozow_notification_hash(ordered, private_key or self.private_key)
        return ordered

    async def pay(
        self, key: str, status: Status = "Complete", *, message: str = "", notify: bool = True
    ) -> DeliveredNotification | None:
        """The shopper finishes at the bank; Ozow posts the result to NotifyUrl."""
        transaction = self.find(key)
        transaction.status, transaction.status_message = status, message
        if notify and transaction.fields.get("NotifyUrl"):
            return await self.notify(self.notification_fields(transaction))
        return None

    async def resend(self, index: int = -1) -> DeliveredNotification:
        """Post an earlier notification again (Ozow may send duplicates)."""
        earlier = self.notifications[index]
        return await self.notify(earlier.fields, url=earlier.url)

    async def notify(
        self, fields: dict[str, str], *, url: str | None = None
    ) -> DeliveredNotification:
        """POST `fields` form-encoded to `url` (default: the transaction's NotifyUrl)."""
        target = url or self.find(fields["TransactionId"]).fields["NotifyUrl"]
        body = urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        client = self.http or httpx.AsyncClient(timeout=30)
        try:
            response = await client.post(target, content=body, headers=headers)
            delivered = DeliveredNotification(target, dict(fields), body, response.status_code)
        except httpx.HTTPError as exc:
            delivered = DeliveredNotification(target, dict(fields), body, None, repr(exc))
        finally:
            if self.http is None:
                await client.aclose()
        self.notifications.append(delivered)
        return delivered

    # -- the HTTP app ---------------------------------------------------------------------

    async def _record(self, request: Request, api_key: str | None) -> RecordedRequest:
        raw = await request.body()
        body: Any = None
        if raw:
            if "json" in request.headers.get("content-type", ""):
                body = parse_json(raw)
            else:
                body = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        record = RecordedRequest(
            request.method,
            request.url.path,
            dict(request.query_params),
            body,
            api_key == self.api_key,
        )
        self.requests.append(record)
        return record

    async def _guard(self, request: Request, api_key: str | None) -> tuple[Any, Response | None]:
        record = await self._record(request, api_key)
        if self._failures:
            return None, Response(status_code=self._failures.popleft())
        if not record.authorized:
            return None, JSONResponse({"errorMessage": "Unauthorized"}, status_code=401)
        return record.body, None

    def _listed(self, query: dict[str, str]) -> list[OzowFakeTransaction] | None:
        if query.get("siteCode") != self.site_code:
            return None
        want_test = query.get("isTest", "false").lower() == "true"
        return [t for t in self.transactions.values() if t.is_test == want_test]

    def app(self) -> FastAPI:
        app = FastAPI(title="Ozow fake", version="1")

        @app.post("/PostPaymentRequest")
        async def post_payment_request(request: Request, api_key: _ApiKey = None) -> Response:
            body, refused = await self._guard(request, api_key)
            if refused:
                return refused
            made = self._create(body if isinstance(body, dict) else {})
            if isinstance(made, str):
                answer = {"paymentRequestId": None, "url": None, "errorMessage": made}
                return JSONResponse(answer, status_code=400)
            url = self.payment_url(made)
            return JSONResponse(
                {"paymentRequestId": made.payment_request_id, "url": url, "errorMessage": None}
            )

        @app.api_route("/", methods=["GET", "POST"])
        async def hosted_form(request: Request) -> Response:
            record = await self._record(request, None)
            posted = record.body if isinstance(record.body, dict) else record.query
            made = self._create(posted)
            if isinstance(made, str):
                return HTMLResponse(f"<h1>Error</h1><p>{made}</p>", status_code=400)
            return RedirectResponse(self.payment_url(made), 303)

        @app.get("/GetTransactionByReference")
        async def by_reference(request: Request, api_key: _ApiKey = None) -> Response:
            _, refused = await self._guard(request, api_key)
            if refused:
                return refused
            query = dict(request.query_params)
            listed = self._listed(query) or []
            reference = query.get("transactionReference")
            found = [t.as_api() for t in listed if t.reference == reference]
            return JSONResponse(found[-10:])

        @app.get("/GetTransaction")
        async def by_id(request: Request, api_key: _ApiKey = None) -> Response:
            _, refused = await self._guard(request, api_key)
            if refused:
                return refused
            query = dict(request.query_params)
            wanted = query.get("transactionId")
            found = [t for t in self._listed(query) or [] if t.transaction_id == wanted]
            if not found:
                return JSONResponse({"errorMessage": "Transaction not found"}, status_code=404)
            return JSONResponse(found[0].as_api())

        self._page_routes(app)
        return app

    def _page_routes(self, app: FastAPI) -> None:
        @app.get("/{request_id}/Secure", response_class=HTMLResponse)
        async def payment_page(request_id: str) -> Response:
            transaction = self.transactions.get(request_id)
            if transaction is None:
                return HTMLResponse("<h1>Unknown payment request</h1>", status_code=404)
            buttons = "".join(
                f'<form method="post" action="/{request_id}/Secure/{s}">'
                f'<button type="submit">{s}</button></form>'
                for s in ("Complete", "Cancelled", "Error", "Abandoned")
            )
            amount, reference = transaction.fields["Amount"], transaction.reference
            return HTMLResponse(f"<h1>Pay R{amount}</h1><p>{reference}</p>{buttons}")

        @app.post("/{request_id}/Secure/{status}")
        async def payment_done(request_id: str, status: Status) -> Response:
            transaction = self.transactions.get(request_id)
            if transaction is None:
                return HTMLResponse("<h1>Unknown payment request</h1>", status_code=404)
            await self.pay(request_id, status)
            redirect = transaction.fields.get(_REDIRECT.get(status, ""), "")
            if redirect:
                # The browser redirect carries the same fields; it proves nothing by itself.
                query = urlencode(self.notification_fields(transaction))
                return RedirectResponse(f"{redirect}?{query}", 303)
            return HTMLResponse(f"<h1>Payment {status}</h1>")

        @app.post("/_fake/pay/{key}")
        async def fake_pay(key: str, status: Status = "Complete") -> dict[str, Any]:
            try:
                delivered = await self.pay(key, status)
            except KeyError as exc:
                return {"ok": False, "error": str(exc)}
            return {"ok": True, "notify_status": delivered.status_code if delivered else None}

        @app.get("/_fake/requests")
        async def fake_requests() -> dict[str, Any]:
            return {"requests": [dataclasses.asdict(record) for record in self.requests]}

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}
