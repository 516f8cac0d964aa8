"""X-Hub-Signature-256 checking over the raw request bytes."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from channels.whatsapp.errors import (
    InvalidSignature,
    MissingSignature,
    SignatureError,
    WhatsAppError,
)
from channels.whatsapp.signature import sign, verify_signature

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "whatsapp"
SECRET = "wakala-test-app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
# Computed independently: printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
BODY_SIGNATURE = "sha256=cc49bdeb84cc62c386ffb84c2106bd5b5f74762819115bdd29f2cd145a41ef73"


def test_sign_matches_an_independent_hmac() -> None:
    assert sign(BODY, SECRET) == BODY_SIGNATURE


def test_known_signature_verifies() -> None:
    verify_signature(BODY, BODY_SIGNATURE, SECRET)


@pytest.mark.parametrize("name", ["text.json", "reaction.json", "order.json"])
def test_signed_fixture_bytes_verify(name: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    verify_signature(raw, sign(raw, SECRET), SECRET)


def test_hex_case_does_not_matter() -> None:
    verify_signature(BODY, "sha256=" + BODY_SIGNATURE.removeprefix("sha256=").upper(), SECRET)


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header(header: str | None) -> None:
    with pytest.raises(MissingSignature, match="X-Hub-Signature-256"):
        verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        BODY_SIGNATURE.removeprefix("sha256="),  # no prefix
        "sha1=" + BODY_SIGNATURE.removeprefix("sha256="),
        "sha256=",
        "sha256=" + "0" * 64,
        BODY_SIGNATURE[:-1],  # truncated
        BODY_SIGNATURE + "00",
        "sha256=é" + BODY_SIGNATURE[8:],  # non-ASCII must not crash compare_digest
    ],
)
def test_malformed_or_wrong_header(header: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_signature(BODY, header, SECRET)


def test_wrong_secret() -> None:
    with pytest.raises(InvalidSignature, match="App Secret"):
        verify_signature(BODY, sign(BODY, "the-verify-token-by-mistake"), SECRET)


def test_one_changed_byte_fails() -> None:
    tampered = BODY.replace(b"[]", b"[ ]")
    with pytest.raises(InvalidSignature):
        verify_signature(tampered, BODY_SIGNATURE, SECRET)


def test_reserialised_json_does_not_verify() -> None:
    """Meta escapes non-ASCII as \\uXXXX: verify the raw bytes, never re-dumped JSON."""
    raw = (FIXTURES / "reaction.json").read_bytes()
    assert b"\\ud83d\\udc4d" in raw
    redumped = json.dumps(json.loads(raw), indent=2, ensure_ascii=False).encode() + b"\n"
    assert json.loads(redumped) == json.loads(raw)
    with pytest.raises(InvalidSignature):
        verify_signature(redumped, sign(raw, SECRET), SECRET)


def test_empty_app_secret_is_refused_not_verified() -> None:
    forged = "sha256=" + hmac.new(b"", BODY, hashlib.sha256).hexdigest()  # anyone can make this
    with pytest.raises(ValueError, match="app_secret"):
        verify_signature(BODY, forged, "")
    with pytest.raises(ValueError, match="app_secret"):
        sign(BODY, "")


@pytest.mark.parametrize("error", [MissingSignature, InvalidSignature])
def test_signature_errors_share_one_tree(error: type[Exception]) -> None:
    assert issubclass(error, SignatureError)
    assert issubclass(error, WhatsAppError)
