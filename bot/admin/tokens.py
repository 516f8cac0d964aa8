"""Operator bearer tokens: JWT signed with HS256, living at most 15 minutes.

A token names the operator (`sub`, which becomes the audit actor `operator:<sub>`), when it was
issued and when it expires. Verification pins the algorithm (no `alg: none`, no key confusion),
the issuer and the audience, requires every claim, and also refuses a correctly signed token
that was minted to live longer than 15 minutes: the limit holds whoever holds the key.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from bot.admin.errors import AdminSetupError, TokenExpired, TokenInvalid
from bot.settings import MAX_ADMIN_TOKEN_SECONDS

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "ISSUER",
    "MAX_TTL_SECONDS",
    "OperatorToken",
    "check_secret",
    "issue_token",
    "verify_token",
]

ALGORITHM = "HS256"
ISSUER = "wakala"
AUDIENCE = "wakala-admin"
MAX_TTL_SECONDS = MAX_ADMIN_TOKEN_SECONDS
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key of at least 256 bits
_SUBJECT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # what the audit log accepts after "operator:"
_REQUIRED = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]


@dataclass(frozen=True, slots=True)
class OperatorToken:
    subject: str
    issued_at: datetime
    expires_at: datetime
    token_id: str

    @property
    def actor(self) -> str:
        return f"operator:{self.subject}"


def check_secret(secret: str) -> bytes:
    key = secret.encode()
    if len(key) < MIN_SECRET_BYTES:
        raise AdminSetupError(
            f"the admin secret is {len(key)} bytes; HS256 needs at least {MIN_SECRET_BYTES} "
            "(set WAKALA_ADMIN_SECRET)"
        )
    return key


def issue_token(
    secret: str, subject: str, *, ttl_seconds: int = MAX_TTL_SECONDS, now: float | None = None
) -> str:
    """A signed token for `subject`. `now` (a Unix time) is for tests of expiry."""
    if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise AdminSetupError(
            f"an admin token may live 1 to {MAX_TTL_SECONDS} seconds (15 minutes), not "
            f"{ttl_seconds}; ask for a new one when it runs out"
        )
    if not _SUBJECT.match(subject):
        raise AdminSetupError(
            f"token subject {subject!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "(it names the operator in the audit log)"
        )
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, check_secret(secret), algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> OperatorToken:
    """The operator a token names; `TokenExpired` or `TokenInvalid` otherwise."""
    try:
        claims = jwt.decode(
            token,
            check_secret(secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": _REQUIRED},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("the admin token has expired; issue a new one") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid(f"the admin token is not valid ({exc})") from exc
    issued, expires, subject = claims["iat"], claims["exp"], claims["sub"]
    if not all(isinstance(value, int) for value in (issued, expires)):
        raise TokenInvalid("the admin token's iat and exp must be whole seconds")
    if expires - issued > MAX_TTL_SECONDS:
        raise TokenInvalid(
            f"the admin token was made to live {expires - issued} s; at most "
            f"{MAX_TTL_SECONDS} s are accepted"
        )
    if issued > time.time() + 5:  # a token from the future is one made with a wrong clock
        raise TokenInvalid("the admin token was issued in the future; check the clock")
    if not isinstance(subject, str) or not _SUBJECT.match(subject):
        raise TokenInvalid("the admin token's subject is not an operator name")
    return OperatorToken(
        subject,
        datetime.fromtimestamp(issued, UTC),
        datetime.fromtimestamp(expires, UTC),
        str(claims["jti"]),
    )
