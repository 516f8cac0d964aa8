"""The admin API over ASGI, on the real database: the app role for shop data, the owner only
for the global directories, as in production."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin import create_admin_app, issue_token
from bot.throughput.base import FloodThrottle
from bot.throughput.memory import MemoryFloodThrottle
from commerce.db import tenant_transaction

pytestmark = pytest.mark.integration

SECRET = "admin-integration-secret-0123456789abcdef"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Admin:
    client: httpx.AsyncClient
    engine: AsyncEngine
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.auth, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = self.auth | kwargs.pop("headers", {})
        return await self.client.post(path, headers=headers, **kwargs)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.auth)

    async def new_shop(self, **fields: Any) -> dict[str, Any]:
        code = f"AD-{uuid.uuid4().hex[:8].upper()}"
        body = {
            "code": code,
            "name": f"Shop {code}",
            "phone_number_id": str(random.randrange(10**11, 10**12)),
            "access_token": "graph-token",
            "staff_phones": ["0821234567"],
        } | fields
        answer = await self.post("/tenants", json=body)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    async def rows(self, tenant_id: str, sql: str, **params: Any) -> list[Any]:
        async with tenant_transaction(self.engine, uuid.UUID(tenant_id)) as conn:
            return list((await conn.execute(text(sql), params)).all())


def admin_client(
    app_engine: AsyncEngine, admin_engine: AsyncEngine, throttle: FloodThrottle
) -> httpx.AsyncClient:
    app = create_admin_app(
        engine=app_engine, owner_engine=admin_engine, secret=SECRET, throttle=throttle
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin")


@pytest.fixture
async def admin(app_engine: AsyncEngine, admin_engine: AsyncEngine) -> AsyncIterator[Admin]:
    throttle = MemoryFloodThrottle(limit=10_000, window=60)
    async with admin_client(app_engine, admin_engine, throttle) as client:
        yield Admin(client, app_engine, issue_token(SECRET, "alice"))
