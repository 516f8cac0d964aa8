"""Admin API: OpenAPI served, bearer tokens that expire within 15 minutes, and a rate limit on
every endpoint (in memory and on the shared Redis)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin import AdminSetupError, issue_token
from bot.throughput.memory import MemoryFloodThrottle
from bot.throughput.redis import RedisFloodThrottle

from .conftest import SECRET, Admin, admin_client, bearer

pytestmark = pytest.mark.integration


async def test_the_openapi_schema_is_served(admin: Admin) -> None:
    schema = (await admin.client.get("/openapi.json")).json()
    assert schema["info"]["title"] == "Wakala admin"
    assert {
        "/tenants",
        "/tenants/{code}",
        "/tenants/{code}/channels",
        "/tenants/{code}/staff",
        "/tenants/{code}/catalog/import",
        "/tenants/{code}/usage",
        "/tenants/{code}/reconciliation",
        "/usage",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    csv_body = schema["paths"]["/tenants/{code}/catalog/import"]["post"]["requestBody"]
    assert "text/csv" in csv_body["content"]
    assert (await admin.client.get("/docs")).status_code == 200


async def test_a_valid_token_names_the_operator(admin: Admin) -> None:
    me = await admin.get("/me")
    assert me.status_code == 200
    assert me.json()["subject"] == "alice"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: None, "WAK033"),
        (lambda: "not-a-jwt", "WAK035"),
        (lambda: issue_token(SECRET, "alice", now=time.time() - 901), "WAK034"),
        (lambda: issue_token("another-secret-of-at-least-32-bytes!!", "alice"), "WAK035"),
    ],
    ids=["missing", "garbled", "expired", "other-key"],
)
async def test_tokens_that_are_refused(
    admin: Admin, make: Callable[[], str | None], code: str
) -> None:
    token = make()
    headers = bearer(token) if token else {}
    answer = await admin.client.get("/tenants", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]["code"] == code


async def test_a_token_made_to_live_longer_than_15_minutes_is_refused(admin: Admin) -> None:
    with pytest.raises(AdminSetupError, match="15 minutes"):
        issue_token(SECRET, "alice", ttl_seconds=901)
    now = int(time.time())
    claims = {"iss": "wakala", "aud": "wakala-admin", "sub": "mallory", "jti": uuid.uuid4().hex}
    claims |= {"iat": now, "nbf": now, "exp": now + 3600}  # signed with the right key
    long_lived = jwt.encode(claims, SECRET, algorithm="HS256")
    answer = await admin.client.get("/me", headers=bearer(long_lived))
    assert answer.status_code == 401
    assert "at most 900 s" in answer.json()["error"]["message"]
    unsigned = jwt.encode(claims | {"exp": now + 60}, None, algorithm="none")
    assert (await admin.client.get("/me", headers=bearer(unsigned))).status_code == 401


async def _flood(client: httpx.AsyncClient, token: str, limit: int) -> list[httpx.Response]:
    answers = [await client.get("/me", headers=bearer(token)) for _ in range(limit)]
    answers.append(await client.get("/openapi.json", headers=bearer(token)))
    return answers


async def test_every_endpoint_is_rate_limited(
    app_engine: AsyncEngine, admin_engine: AsyncEngine
) -> None:
    throttle = MemoryFloodThrottle(limit=3, window=3600)
    token = issue_token(SECRET, "bob")
    async with admin_client(app_engine, admin_engine, throttle) as client:
        answers = await _flood(client, token, 3)
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].json()["error"]["code"] == "rate_limited"
        assert 0 < int(answers[-1].headers["retry-after"]) <= 3600
        # Unauthenticated callers are counted by address, apart from the operator.
        for _ in range(3):
            assert (await client.get("/health")).status_code == 200
        assert (await client.get("/health")).status_code == 429
        assert (await client.get("/me", headers=bearer(token))).status_code == 429


async def test_the_limit_is_shared_through_redis(
    app_engine: AsyncEngine, admin_engine: AsyncEngine, redis_url: str, namespace: str
) -> None:
    prefix = f"{namespace}:admin-{uuid.uuid4().hex[:6]}"
    throttles = [
        RedisFloodThrottle(redis_url, prefix=prefix, limit=2, window=3600) for _ in range(2)
    ]
    token = issue_token(SECRET, "carol")
    try:
        for throttle in throttles:
            await throttle.start()
        async with (
            admin_client(app_engine, admin_engine, throttles[0]) as first,
            admin_client(app_engine, admin_engine, throttles[1]) as second,
        ):
            statuses = [
                (await client.get("/me", headers=bearer(token))).status_code
                for client in (first, second, first)
            ]
        assert statuses == [200, 200, 429]  # two processes, one budget
    finally:
        for throttle in throttles:
            await throttle.close()
