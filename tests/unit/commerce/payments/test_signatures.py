"""Paystack's webhook HMAC and Ozow's SHA-512 hashes against published and own vectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

from commerce.payments.errors import InvalidSignature, MissingSignature
from commerce.payments.signatures import (
    ozow_hash,
    ozow_notification_hash,
    ozow_request_hash,
    paystack_signature,
    verify_ozow_hash,
    verify_paystack_signature,
)
from tests.unit.commerce.payments.paths import FIXTURES, SHARED, load, raw

OWN = load("vectors.json")
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")


def _shared(name: str) -> Any:
    return load(name, SHARED) if SHARED.is_dir() else {}


def _body(vector: dict[str, Any], folder: Any) -> bytes:
    if "body_file" in vector:
        return raw(vector["body_file"], folder)
    return str(vector["body_utf8"]).encode()


# -- Paystack -----------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize(
    "vector",
    _shared("paystack_webhook_signature_vectors.json").get("vectors", []),
    ids=lambda v: v["id"],
)
def test_shared_paystack_vectors(vector: dict[str, Any]) -> None:
    secret = load("paystack_webhook_signature_vectors.json", SHARED)["secret_key"]
    body = _body(vector, SHARED)
    expected = vector["x-paystack-signature"]
    if vector.get("valid_with_secret_key", True):
        assert paystack_signature(body, secret) == expected
        verify_paystack_signature(body, expected, secret)
    else:
        with pytest.raises(InvalidSignature):
            verify_paystack_signature(body, expected, secret)


@pytest.mark.parametrize("vector", OWN["paystack"]["vectors"], ids=lambda v: v["id"])
def test_own_paystack_vectors(vector: dict[str, Any]) -> None:
    secret = OWN["paystack"]["secret_key"]
    body = _body(vector, FIXTURES)
    assert paystack_signature(body, secret) == vector["signature"]
    verify_paystack_signature(body, vector["signature"].upper(), secret)  # hex case is free


def test_paystack_signature_is_over_raw_bytes() -> None:
    secret = OWN["paystack"]["secret_key"]
    body = raw("paystack_charge_success_zar.json")
    reserialised = body.replace(b"   \n}", b"\n}")
    signature = paystack_signature(body, secret)
    with pytest.raises(InvalidSignature, match="raw request bytes"):
        verify_paystack_signature(reserialised, signature, secret)


@pytest.mark.parametrize("header", [None, ""])
def test_paystack_missing_signature(header: str | None) -> None:
    with pytest.raises(MissingSignature, match="x-paystack-signature"):
        verify_paystack_signature(b"{}", header, "sk_test_x")


@pytest.mark.parametrize("header", ["abc", "é" * 128, "sha512=" + "0" * 128])
def test_paystack_garbage_signature_is_refused_not_crashed(header: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_paystack_signature(b"{}", header, "sk_test_x")


def test_paystack_wrong_key_is_refused() -> None:
    body = b'{"event":"charge.success"}'
    with pytest.raises(InvalidSignature):
        verify_paystack_signature(body, paystack_signature(body, "sk_test_a"), "sk_test_b")


def test_empty_keys_are_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="secret key is empty"):
        paystack_signature(b"{}", "")
    with pytest.raises(ValueError, match="private key is empty"):
        ozow_hash(["a"], "")


# -- Ozow ---------------------------------------------------------------------------------


def _ozow_vectors(kind: str) -> list[dict[str, Any]]:
    return list(_shared("ozow_hash_vectors.json").get(kind, []))


@needs_shared
@pytest.mark.parametrize("vector", _ozow_vectors("request_vectors"), ids=lambda v: v["id"])
def test_shared_ozow_request_vectors(vector: dict[str, Any]) -> None:
    fields = dict(vector["fields_in_hash_order"])
    assert ozow_request_hash(fields, vector["private_key"]) == vector["expected_hashcheck"]
    # Omitting the empty fields is the same as posting them empty.
    posted = {k: v for k, v in fields.items() if v}
    assert ozow_request_hash(posted, vector["private_key"]) == vector["expected_hashcheck"]


@needs_shared
@pytest.mark.parametrize("vector", _ozow_vectors("notification_vectors"), ids=lambda v: v["id"])
def test_shared_ozow_notification_vectors(vector: dict[str, Any]) -> None:
    fields = dict(vector["fields_in_hash_order"])
    assert ozow_notification_hash(fields, vector["private_key"]) == vector["expected_hash"]
    # The same notification as posted in the shared sample file.
    posted = load(f"{vector['id']}.json", SHARED)
    verify_ozow_hash(ozow_notification_hash(posted, vector["private_key"]), posted["Hash"])


@needs_shared
def test_shared_ozow_negative_vectors() -> None:
    negatives = {v["id"]: v for v in _ozow_vectors("negative_vectors")}
    tampered = negatives["tampered_amount"]
    key = _ozow_vectors("notification_vectors")[0]["private_key"]
    recomputed = ozow_notification_hash(tampered["fields"], key)
    assert recomputed == tampered["recomputed_hash"]
    with pytest.raises(InvalidSignature):
        verify_ozow_hash(recomputed, tampered["fields"]["Hash"])
    short = negatives["amount_without_two_decimals"]
    fields = dict(short["request_fields_in_order"])
    assert ozow_request_hash(fields, short["private_key"]) == short["hash_of_this_string"]
    fields["Amount"] = "5.00"
    assert ozow_request_hash(fields, short["private_key"]) == short["valid_hash_for_5.00"]


def test_own_ozow_request_vector() -> None:
    vector = OWN["ozow"]["request"]
    assert ozow_request_hash(vector["fields"], OWN["ozow"]["private_key"]) == vector["hash_check"]


@pytest.mark.parametrize("vector", OWN["ozow"]["notifications"], ids=lambda v: v["id"])
def test_own_ozow_notification_vectors(vector: dict[str, Any]) -> None:
    fields = dict(parse_qsl(raw(vector["body_file"]).decode(), keep_blank_values=True))
    assert fields.pop("Hash") == vector["hash"]
    assert ozow_notification_hash(fields, OWN["ozow"]["private_key"]) == vector["hash"]


def test_ozow_hash_lowercases_the_key_too() -> None:
    assert ozow_hash(["ABC"], "KEY") == ozow_hash(["abc"], "key")


def test_ozow_field_order_matters() -> None:
    fields = {"SiteCode": "S", "TransactionId": "T", "Amount": "1.00"}
    swapped = ozow_hash(["T", "S", "1.00"], "k")
    assert ozow_notification_hash(fields, "k") == ozow_hash(["S", "T", "1.00"], "k") != swapped


def test_ozow_hash_compare_ignores_case_and_refuses_missing() -> None:
    digest = ozow_hash(["x"], "k")
    verify_ozow_hash(digest, digest.upper())
    with pytest.raises(MissingSignature, match="Hash"):
        verify_ozow_hash(digest, None)
    with pytest.raises(InvalidSignature):
        verify_ozow_hash(digest, "0" * 128)
