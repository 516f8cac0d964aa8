"""X-Hub-Signature-256: prove a webhook POST came from Meta.

Meta signs each POST with HMAC-SHA256 keyed by the *app secret* (not the verify token, not an
access token) over the raw request bytes. Verify before parsing: Meta escapes non-ASCII as
\\uXXXX, so re-serialised JSON would not match the signature.
"""

from __future__ import annotations

import hashlib
import hmac

from channels.whatsapp.errors import InvalidSignature, MissingSignature

__all__ = ["SIGNATURE_HEADER", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def _digest(raw_body: bytes, app_secret: str) -> str:
    if not app_secret:
        # An empty key makes the HMAC computable by anyone: refuse rather than "verify".
        raise ValueError("app_secret is empty; set it to the Meta app's App Secret")
    return hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def sign(raw_body: bytes, app_secret: str) -> str:
    """Return the X-Hub-Signature-256 header value Meta would send for `raw_body`."""
    return _PREFIX + _digest(raw_body, app_secret)


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Raise unless `header` is Meta's signature of exactly these bytes.

    Raises `MissingSignature` when the header is absent or empty, `InvalidSignature` when it
    is malformed or does not match, and `ValueError` when `app_secret` is empty (a
    misconfiguration, not a bad request).
    """
    expected = _digest(raw_body, app_secret)
    if not header:
        raise MissingSignature(
            f"the {SIGNATURE_HEADER} header is missing; Meta signs every webhook POST, "
            "so this request did not come from Meta"
        )
    if not header.startswith(_PREFIX):
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header must look like 'sha256=<hex>'")
    received = header.removeprefix(_PREFIX).strip().lower()
    # Compare bytes: compare_digest rejects non-ASCII str with TypeError, and headers are
    # attacker-controlled.
    if not hmac.compare_digest(expected.encode(), received.encode("utf-8", "replace")):
        raise InvalidSignature(
            f"the {SIGNATURE_HEADER} header does not match the body; check that the app "
            "secret is the Meta app's App Secret and that the HMAC is taken over the raw "
            "request bytes, before any JSON parsing"
        )
