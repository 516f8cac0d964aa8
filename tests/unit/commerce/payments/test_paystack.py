"""Paystack adapter: webhook reading, status mapping, and answers the fake never gives.

The happy paths over HTTP are in tests/integration/payments; here a one-answer transport
(`answering`) stands in for Paystack's odd answers (404 vs 400, a wrong reference, ...).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from commerce.payments.base import NotificationKind, PaymentState, RefundState
from commerce.payments.errors import (
    DuplicateReference,
    GatewayAuthError,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    GatewayUnreachable,
    InvalidSignature,
    MalformedNotification,
    MissingSignature,
    PaymentInputError,
    PaymentNotFound,
    ReferenceMismatch,
)
from commerce.payments.paystack import PaystackConfig, PaystackGateway
from commerce.payments.paystack_parse import as_cents, refund_state, transaction_state
from commerce.payments.signatures import paystack_signature
from tests.unit.commerce.payments.paths import SHARED, load, raw

SECRET = load("vectors.json")["paystack"]["secret_key"]


def answering(status: int, body: Any = None, seen: list[httpx.Request] | None = None) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    return handle


def gateway(handler: Any = None, **config: Any) -> PaystackGateway:
    transport = httpx.MockTransport(handler or answering(500))
    http = httpx.AsyncClient(transport=transport)
    return PaystackGateway(PaystackConfig(secret_key=SECRET, **config), http)


def signed(body: bytes) -> dict[str, str]:
    return {"X-Paystack-Signature": paystack_signature(body, SECRET)}


# -- webhooks -----------------------------------------------------------------------------


def test_charge_success_from_raw_bytes() -> None:
    body = raw("paystack_charge_success_zar.json")
    note = gateway().verify_notification(body, signed(body))
    assert note.kind is NotificationKind.PAYMENT
    assert (note.reference, note.amount_cents, note.currency) == ("SPAZA01-123-1", 14990, "ZAR")
    assert note.state is PaymentState.PAID
    assert note.is_test
    assert note.dedupe_key == "paystack:charge.success:SPAZA01-123-1"
    assert note.gateway_transaction_id == "5012345678"


def test_header_name_is_case_insensitive_in_plain_dicts() -> None:
    body = raw("paystack_charge_success_zar.json")
    lower = {"x-paystack-signature": paystack_signature(body, SECRET)}
    assert gateway().verify_notification(body, lower).reference == "SPAZA01-123-1"


def test_forged_and_unsigned_webhooks_are_refused() -> None:
    body = raw("paystack_charge_success_zar.json")
    forged = body.replace(b"14990", b"99")
    with pytest.raises(InvalidSignature):
        gateway().verify_notification(forged, signed(body))
    with pytest.raises(MissingSignature):
        gateway().verify_notification(body, {})
    other_key = {"x-paystack-signature": paystack_signature(body, "sk_test_someone_else")}
    with pytest.raises(InvalidSignature):
        gateway().verify_notification(body, other_key)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event": "charge.success"}',
        b'{"event": "charge.success", "data": {"amount": 100}}',
        b'{"event": "charge.success", "data": {"reference": "R-1", "amount": "1.5"}}',
    ],
)
def test_signed_but_malformed_webhooks(body: bytes) -> None:
    with pytest.raises(MalformedNotification):
        gateway().verify_notification(body, signed(body))


def test_refund_event_with_string_amount() -> None:
    body = raw("paystack_refund_processed_zar.json")
    note = gateway().verify_notification(body, signed(body))
    assert note.kind is NotificationKind.REFUND
    assert (note.reference, note.amount_cents, note.state) == (
        "SPAZA01-123-1",
        5000,
        PaymentState.REVERSED,
    )


def test_other_events_are_verified_and_marked_other() -> None:
    body = raw("paystack_subscription_create.json")
    note = gateway().verify_notification(body, signed(body))
    assert note.kind is NotificationKind.OTHER
    assert note.state is PaymentState.UNKNOWN


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("paystack_charge_success.json", NotificationKind.PAYMENT),
        ("paystack_refund_pending.json", NotificationKind.REFUND),
        ("paystack_refund_failed.json", NotificationKind.REFUND),
        ("paystack_refund_needs_attention.json", NotificationKind.REFUND),
        ("paystack_paymentrequest_success.json", NotificationKind.OTHER),
    ],
)
def test_shared_webhook_samples_parse(name: str, kind: NotificationKind) -> None:
    body = raw(name, SHARED)
    assert gateway().verify_notification(body, signed(body)).kind is kind


# -- mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("success", PaymentState.PAID),
        ("abandoned", PaymentState.ABANDONED),
        ("failed", PaymentState.FAILED),
        ("ongoing", PaymentState.PENDING),
        ("pending", PaymentState.PENDING),
        ("processing", PaymentState.PENDING),
        ("queued", PaymentState.PENDING),
        ("reversed", PaymentState.REVERSED),
        ("Success", PaymentState.PAID),
        ("brand-new-word", PaymentState.UNKNOWN),
    ],
)
def test_transaction_states(status: str, state: PaymentState) -> None:
    assert transaction_state(status) is state


def test_refund_states() -> None:
    assert refund_state("pending") is RefundState.PENDING
    assert refund_state("processed") is RefundState.PROCESSED
    assert refund_state("needs-attention") is RefundState.NEEDS_ATTENTION
    assert refund_state("???") is RefundState.NEEDS_ATTENTION


@pytest.mark.parametrize(
    ("value", "cents"),
    [(100, 100), ("100", 100), (" 7 ", 7), (True, None), ("1.5", None), (None, None)],
)
def test_as_cents(value: Any, cents: int | None) -> None:
    assert as_cents(value) == cents


# -- API answers --------------------------------------------------------------------------


async def test_verify_reads_fees_passed_to_the_shopper() -> None:
    status = await gateway(answering(200, load("paystack_verify_success_zar_fees.json"))).confirm(
        "SPAZA01-123-1"
    )
    assert (status.amount_cents, status.requested_amount_cents) == (15425, 14990)
    assert status.state is PaymentState.PAID
    assert status.paid_at == "2025-03-14T10:21:07.000Z"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, load("paystack_error_reference_not_found.json")),
        (404, {"status": False, "message": "Entity not found"}),
    ],
)
async def test_unknown_reference_both_ways(status: int, body: Any) -> None:
    with pytest.raises(PaymentNotFound) as caught:
        await gateway(answering(status, body)).confirm("SPAZA01-1-1")
    assert caught.value.status == status
    assert not caught.value.retryable


@pytest.mark.parametrize("status", [400, 401])
async def test_invalid_key_on_400_and_401(status: int) -> None:
    with pytest.raises(GatewayAuthError, match="same mode"):
        await gateway(answering(status, {"status": False, "message": "Invalid key"})).confirm(
            "SPAZA01-1-1"
        )


async def test_verify_for_another_reference_is_refused() -> None:
    answer = load("paystack_verify_success_zar_fees.json")
    with pytest.raises(ReferenceMismatch):
        await gateway(answering(200, answer)).confirm("SPAZA01-999-1")


async def test_duplicate_reference_says_start_a_new_attempt() -> None:
    handler = answering(400, load("paystack_error_duplicate_reference.json"))
    with pytest.raises(DuplicateReference, match="new reference") as caught:
        await gateway(handler).start("SPAZA01-123-1", 14990)
    assert caught.value.gateway_code == "duplicate_reference"


async def test_status_false_on_200_is_rejected() -> None:
    handler = answering(200, {"status": False, "message": "Currency not supported by merchant"})
    with pytest.raises(GatewayRejected, match="Currency not supported"):
        await gateway(handler).start("SPAZA01-123-1", 14990)


async def test_initialize_without_url_is_an_error() -> None:
    handler = answering(200, {"status": True, "message": "ok", "data": {"reference": "X-1"}})
    with pytest.raises(GatewayError, match="authorization_url"):
        await gateway(handler).start("X-1", 100)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_errors_are_retryable(status: int) -> None:
    with pytest.raises(GatewayUnavailable) as caught:
        await gateway(answering(status)).confirm("SPAZA01-1-1")
    assert caught.value.retryable


async def test_transport_failure_is_retryable_and_keeps_the_key_out() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(GatewayUnreachable) as caught:
        await gateway(refuse).confirm("SPAZA01-1-1")
    assert caught.value.retryable
    assert SECRET not in str(caught.value)


async def test_initialize_request_body() -> None:
    seen: list[httpx.Request] = []
    answer = {
        "status": True,
        "message": "Authorization URL created",
        "data": {"authorization_url": "https://c/x", "access_code": "x", "reference": "S-1-1"},
    }
    config = {
        "callback_url": "https://shop/cb",
        "cancel_url": "https://shop/x",
        "channels": ("eft",),
    }
    start = await gateway(answering(200, answer, seen), **config).start("S-1-1", 14990)
    assert (start.pay_url, start.gateway_id) == ("https://c/x", "x")
    sent = json.loads(seen[0].content)
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert sent["amount"] == 14990
    assert sent["currency"] == "ZAR"
    assert sent["email"] == "s-1-1@customers.wakala.invalid"
    assert sent["metadata"] == {"order_ref": "S-1-1", "cancel_action": "https://shop/x"}
    assert (sent["callback_url"], sent["channels"]) == ("https://shop/cb", ["eft"])


async def test_inputs_are_checked_before_any_request() -> None:
    seen: list[httpx.Request] = []
    paystack = gateway(answering(500, None, seen))
    for bad in (("a b", 100, "ZAR"), ("A-1", 0, "ZAR"), ("A-1", 100, "EUR")):
        with pytest.raises(PaymentInputError):
            await paystack.start(*bad)
    with pytest.raises(PaymentInputError):
        await paystack.confirm("../refund")
    assert seen == []


def test_config_hides_the_key_and_infers_the_mode() -> None:
    assert SECRET not in repr(PaystackConfig(secret_key=SECRET))
    assert gateway().accepts_test_payments
    live = PaystackGateway(PaystackConfig(secret_key="sk_live_x"), httpx.AsyncClient())
    assert not live.accepts_test_payments
    with pytest.raises(ValueError, match="secret_key is empty"):
        PaystackConfig(secret_key="")
