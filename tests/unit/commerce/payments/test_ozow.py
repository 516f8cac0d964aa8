"""Ozow adapter: request fields and HashCheck, notification verification, status mapping.

The flows over HTTP are in tests/integration/payments; a one-answer transport stands in for
status answers the fake does not give (an object instead of a list, PascalCase keys).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from commerce.payments.base import CustomerHint, NotificationKind, PaymentState
from commerce.payments.errors import (
    GatewayAuthError,
    GatewayRejected,
    InvalidSignature,
    MalformedNotification,
    MissingSignature,
    PaymentInputError,
    PaymentNotFound,
    RefundNotSupported,
)
from commerce.payments.ozow import OzowConfig, OzowGateway, bank_reference
from commerce.payments.ozow_parse import status_state
from commerce.payments.signatures import ozow_notification_hash
from tests.unit.commerce.payments.paths import SHARED, load, raw

OWN = load("vectors.json")["ozow"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SHOP = "https://shop.example"


def config(**overrides: Any) -> OzowConfig:
    values: dict[str, Any] = {
        "site_code": "WKLTEST001",
        "private_key": OWN["private_key"],
        "api_key": "api-key",
        "notify_url": f"{SHOP}/payments/ozow/SPAZA01/notify",
        "success_url": f"{SHOP}/pay/ozow/success",
        "cancel_url": f"{SHOP}/pay/ozow/cancel",
        "error_url": f"{SHOP}/pay/ozow/error",
        "optional1": "SPAZA01",
    }
    return OzowConfig(**(values | overrides))


def answering(status: int, body: Any = None) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def gateway(http: httpx.AsyncClient | None = None, **overrides: Any) -> OzowGateway:
    return OzowGateway(config(**overrides), http or answering(500))


def form(name: str) -> dict[str, str]:
    return dict(parse_qsl(raw(name).decode(), keep_blank_values=True))


# -- the request --------------------------------------------------------------------------


def test_request_fields_match_our_vector() -> None:
    fields = gateway(is_test=True).request_fields(
        "SPAZA01-124-1", 8950, CustomerHint(name="Thandiwe M")
    )
    assert fields["HashCheck"] == OWN["request"]["hash_check"]
    assert {k: v for k, v in fields.items() if k != "HashCheck"} == OWN["request"]["fields"]


def test_bank_reference_rules() -> None:
    assert bank_reference("SPAZA01-124-1") == "SPAZA01-124-1"
    assert bank_reference("LONGSHOPNAME.WITH=DOTS-0000123-12") == "EWITHDOTS-0000123-12"
    assert len(bank_reference("X" * 50)) == 20


async def test_redirect_mode_builds_a_signed_url_without_a_call() -> None:
    start = await gateway(use_api=False, pay_base_url="https://pay.example").start(
        "SPAZA01-124-1", 8950
    )
    assert start.pay_url is not None
    url = urlsplit(start.pay_url)
    assert (url.scheme, url.netloc, url.path) == ("https", "pay.example", "/")
    posted = dict(parse_qsl(url.query))
    assert posted["Amount"] == "89.50"
    assert posted["IsTest"] == "false"
    assert "Customer" not in posted  # empty fields are left out of the post and the hash


async def test_start_refuses_what_ozow_cannot_take() -> None:
    ozow = gateway()
    with pytest.raises(PaymentInputError, match="only ZAR"):
        await ozow.start("SPAZA01-1-1", 100, "USD")
    with pytest.raises(PaymentInputError, match="maximum"):
        await ozow.start("SPAZA01-1-1", 1_000_000_000)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            400,
            {"paymentRequestId": None, "url": None, "errorMessage": "Invalid Amount"},
            GatewayRejected,
        ),
        (
            200,
            {"paymentRequestId": None, "url": None, "errorMessage": "Invalid Amount"},
            GatewayRejected,
        ),
        (401, None, GatewayAuthError),
    ],
)
async def test_payment_request_errors(status: int, body: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        await gateway(answering(status, body)).start("SPAZA01-1-1", 100)


# -- notifications ------------------------------------------------------------------------


def test_own_complete_notification_urlencoded() -> None:
    note = gateway().verify_notification(raw("ozow_notify_complete.urlencoded.txt"), FORM)
    assert note.kind is NotificationKind.PAYMENT
    assert (note.reference, note.amount_cents, note.state) == (
        "SPAZA01-124-1",
        8950,
        PaymentState.PAID,
    )
    assert note.event == "Complete"
    assert not note.is_test
    assert note.dedupe_key == "ozow:SPAZA01-124-1:9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b:Complete"


def test_sparse_notification_and_parsed_form() -> None:
    note = gateway().verify_notification(b"", {}, form("ozow_notify_pending_sparse.urlencoded.txt"))
    assert note.state is PaymentState.PENDING


def test_json_notification_is_accepted() -> None:
    body = json.dumps(form("ozow_notify_complete.urlencoded.txt")).encode()
    note = gateway().verify_notification(body, {"content-type": "application/json"})
    assert note.state is PaymentState.PAID


def test_pending_and_complete_have_different_keys() -> None:
    complete = gateway().verify_notification(raw("ozow_notify_complete.urlencoded.txt"), FORM)
    pending = gateway().verify_notification(raw("ozow_notify_pending_sparse.urlencoded.txt"), FORM)
    assert complete.dedupe_key != pending.dedupe_key


def test_tampered_amount_is_refused() -> None:
    fields = form("ozow_notify_complete.urlencoded.txt") | {"Amount": "0.01"}
    with pytest.raises(InvalidSignature, match="Hash"):
        gateway().verify_notification(urlencode(fields).encode(), FORM)


def test_other_site_is_refused_even_with_a_consistent_hash() -> None:
    fields = form("ozow_notify_complete.urlencoded.txt") | {"SiteCode": "OTHER0001"}
    fields["Hash"] = ozow_notification_hash(fields, OWN["private_key"])
    with pytest.raises(InvalidSignature):
        gateway().verify_notification(b"", {}, fields)


def test_missing_hash_and_wrong_key() -> None:
    fields = form("ozow_notify_complete.urlencoded.txt")
    with pytest.raises(MissingSignature):
        gateway().verify_notification(b"", {}, {k: v for k, v in fields.items() if k != "Hash"})
    with pytest.raises(InvalidSignature):
        gateway(private_key="another-key").verify_notification(b"", {}, fields)


def test_hashed_but_incomplete_or_bad_amount() -> None:
    fields = form("ozow_notify_complete.urlencoded.txt")
    for change in ({"TransactionId": ""}, {"Amount": "1.234"}):
        forged = fields | change
        forged["Hash"] = ozow_notification_hash(forged, OWN["private_key"])
        with pytest.raises(MalformedNotification):
            gateway().verify_notification(b"", {}, forged)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"\xff\xfe", FORM),
        (b"{nope", {"content-type": "application/json"}),
        (b"[1]", {"content-type": "application/json"}),
    ],
)
def test_unreadable_bodies(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(MalformedNotification):
        gateway().verify_notification(body, headers)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")
@pytest.mark.parametrize(
    ("name", "state", "is_test"),
    [
        ("ozow_notify_complete.json", PaymentState.PAID, False),
        ("ozow_notify_complete_istest.json", PaymentState.PAID, True),
        ("ozow_notify_cancelled.json", PaymentState.CANCELLED, False),
        ("ozow_notify_error.json", PaymentState.FAILED, False),
        ("ozow_notify_abandoned.json", PaymentState.ABANDONED, False),
        ("ozow_notify_pending_investigation.json", PaymentState.NEEDS_REVIEW, False),
        ("ozow_notify_pending.json", PaymentState.PENDING, False),
    ],
)
def test_shared_notifications(name: str, state: PaymentState, is_test: bool) -> None:
    vectors = load("ozow_hash_vectors.json", SHARED)
    key = vectors["notification_vectors"][0]["private_key"]
    demo = gateway(site_code="TSTSTE0001", private_key=key)
    note = demo.verify_notification(b"", {}, load(name, SHARED))
    assert (note.state, note.is_test, note.amount_cents) == (state, is_test, 14990)
    if name == "ozow_notify_complete.json":
        urlencoded = raw("ozow_notify_complete.urlencoded.txt", SHARED)
        assert demo.verify_notification(urlencoded, FORM) == note


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("Complete", PaymentState.PAID),
        ("Cancelled", PaymentState.CANCELLED),
        ("Error", PaymentState.FAILED),
        ("Abandoned", PaymentState.ABANDONED),
        ("PendingInvestigation", PaymentState.NEEDS_REVIEW),
        ("Pending", PaymentState.PENDING),
        ("complete", PaymentState.PAID),
        ("Refunded?", PaymentState.UNKNOWN),
    ],
)
def test_status_mapping(status: str, state: PaymentState) -> None:
    assert status_state(status) is state
    assert state.is_final is (
        state not in {PaymentState.PENDING, PaymentState.NEEDS_REVIEW, PaymentState.UNKNOWN}
    )


# -- the status API -----------------------------------------------------------------------


async def test_status_prefers_the_completed_attempt() -> None:
    status = await gateway(answering(200, load("ozow_status_two_attempts.json"))).confirm(
        "SPAZA01-124-1"
    )
    assert (status.state, status.amount_cents) == (PaymentState.PAID, 8950)
    assert status.gateway_transaction_id == "66666666-7777-4888-9999-000000000000"


async def test_status_as_one_pascal_case_object() -> None:
    answer = {
        "TransactionReference": "SPAZA01-9-1",
        "Amount": 10,
        "Status": "Cancelled",
        "IsTest": "true",
    }
    status = await gateway(answering(200, answer)).confirm("SPAZA01-9-1")
    assert (status.state, status.amount_cents, status.is_test) == (
        PaymentState.CANCELLED,
        1000,
        True,
    )


@pytest.mark.parametrize(
    "answer",
    [[], [{"transactionReference": "OTHER-1", "amount": 1, "status": "Complete"}], {"x": 1}],
)
async def test_status_without_our_transaction_is_not_found(answer: Any) -> None:
    with pytest.raises(PaymentNotFound):
        await gateway(answering(200, answer)).confirm("SPAZA01-9-1")


async def test_status_amounts_never_go_through_float() -> None:
    answer = [{"transactionReference": "R-1", "amount": Decimal("0.29"), "status": "Complete"}]
    body = json.dumps(answer, default=str).replace('"0.29"', "0.29")
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body.encode()))
    )
    assert (await gateway(http).confirm("R-1")).amount_cents == 29


async def test_refund_is_not_offered() -> None:
    with pytest.raises(RefundNotSupported, match="merchant admin"):
        await gateway().refund("SPAZA01-1-1")


def test_config_hides_keys_and_needs_them() -> None:
    shown = repr(config())
    assert OWN["private_key"] not in shown
    assert "api-key" not in shown
    with pytest.raises(ValueError, match="private_key is empty"):
        config(private_key="")
