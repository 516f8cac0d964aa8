"""Admin bearer tokens: HS256, pinned claims, 15 minutes at most, whoever signs them."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from typer.testing import CliRunner

from bot.admin.cli import admin_app
from bot.admin.errors import AdminSetupError, TokenExpired, TokenInvalid
from bot.admin.tokens import issue_token, verify_token

SECRET = "unit-test-admin-secret-0123456789abcdef"


def _claims(**changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "wakala",
        "aud": "wakala-admin",
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    return claims | changes


def test_a_token_round_trips() -> None:
    before = time.time()
    operator = verify_token(SECRET, issue_token(SECRET, "alice", ttl_seconds=300))
    assert (operator.subject, operator.actor) == ("alice", "operator:alice")
    lifetime = (operator.expires_at - operator.issued_at).total_seconds()
    assert lifetime == 300
    assert operator.issued_at.timestamp() >= int(before)


def test_expired_tokens_are_refused() -> None:
    token = issue_token(SECRET, "alice", ttl_seconds=60, now=time.time() - 61)
    with pytest.raises(TokenExpired):
        verify_token(SECRET, token)


@pytest.mark.parametrize("ttl", [0, -1, 901, 3600])
def test_no_token_outside_1_to_900_seconds_is_issued(ttl: int) -> None:
    with pytest.raises(AdminSetupError, match="15 minutes"):
        issue_token(SECRET, "alice", ttl_seconds=ttl)


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": 901},  # signed with the key, but made to live too long
        {"aud": "someone-else"},
        {"iss": "elsewhere"},
        {"sub": "alice smith"},  # not an operator name for the audit log
        {"jti": None},
    ],
    ids=["too-long", "audience", "issuer", "subject", "no-jti"],
)
def test_tokens_signed_with_the_key_must_still_fit(changes: dict[str, object]) -> None:
    claims = _claims(**changes)
    if "exp" in changes:
        claims["exp"] = int(time.time()) + 901
    claims = {key: value for key, value in claims.items() if value is not None}
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, jwt.encode(claims, SECRET, algorithm="HS256"))


def test_other_algorithms_and_keys_are_refused() -> None:
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, jwt.encode(_claims(), None, algorithm="none"))
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, jwt.encode(_claims(), SECRET * 2, algorithm="HS512"))
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, issue_token("another-secret-that-is-long-enough!!", "alice"))


def test_short_secrets_and_bad_subjects_are_setup_errors() -> None:
    with pytest.raises(AdminSetupError, match="32"):
        issue_token("short", "alice")
    with pytest.raises(AdminSetupError, match="subject"):
        issue_token(SECRET, "alice:admin")


def test_the_cli_prints_a_token_and_refuses_a_long_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAKALA_ADMIN_SECRET", SECRET)
    monkeypatch.setenv("WAKALA_ENV", "test")
    printed = CliRunner().invoke(admin_app, ["token", "--subject", "alice", "--minutes", "5"])
    assert printed.exit_code == 0, printed.output
    operator = verify_token(SECRET, printed.output.strip())
    assert (operator.expires_at - operator.issued_at).total_seconds() == 300
    refused = CliRunner().invoke(admin_app, ["token", "--subject", "alice", "--minutes", "16"])
    assert refused.exit_code == 1
    assert "15 minutes" in refused.output
