"""Talking to the action server as a shopper or as the shop's staff, over Rasa's protocol,
against the real PostgreSQL. Shops come from the commerce tests' fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.server import create_app
from commerce import carts
from commerce.audit import AuditEntry, entries
from commerce.db import tenant_transaction
from commerce.orders import Checkout, Order, place_order
from tests.integration.commerce.conftest import (  # noqa: F401 - fixtures used by these tests
    STAFF_PHONE,
    Shop,
    make_shop,
    message_id,
    other_shop,
    shop,
    shopper,
)

__all__ = ["STAFF_ACTOR", "Chat", "Shop", "audited", "place", "scalar", "shopper", "staff"]

TOKEN = "merchant-actions-token"
STAFF_ACTOR = f"staff:*{STAFF_PHONE[-4:]}"


@pytest.fixture
async def http(app_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://actions", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


Entity = dict[str, Any]


class Chat:
    """One sender (a shopper, or staff with `who=STAFF_PHONE`) talking to one shop."""

    def __init__(
        self, http: httpx.AsyncClient, at: Shop, who: str | None = None, language: str = "en"
    ) -> None:
        self.http, self.shop, self.who = http, at, who or shopper()
        self.slots: dict[str, Any] = {"tenant_id": str(at.id), "language": language}

    async def run(
        self, action: str, entities: dict[str, Any] | list[Entity] | None = None
    ) -> dict[str, Any]:
        """Run `action` with this turn's entities ({name: value}, or full entity dicts)."""
        if isinstance(entities, dict):
            entities = [{"entity": k, "value": v} for k, v in entities.items()]
        latest = {"text": "", "entities": entities or [], "message_id": message_id()}
        body = {
            "next_action": action,
            "sender_id": self.who,
            "tracker": {"sender_id": self.who, "slots": self.slots, "latest_message": latest},
            "domain": {},
            "version": "3.6.21",
        }
        response = await self.http.post("/webhook", json=body)
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        for event in reply["events"]:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        return reply

    async def reply(
        self, action: str, entities: dict[str, Any] | list[Entity] | None = None
    ) -> dict[str, Any]:
        """The one response of `action`."""
        [response] = (await self.run(action, entities))["responses"]
        assert isinstance(response, dict)
        return response

    async def say(self, action: str, entities: dict[str, Any] | None = None) -> str:
        return str((await self.reply(action, entities))["response"])


def staff(http: httpx.AsyncClient, at: Shop) -> Chat:
    return Chat(http, at, STAFF_PHONE)


async def place(
    engine: AsyncEngine, at: Shop, lines: dict[str, int], who: str | None = None, **options: Any
) -> Order:
    """A shopper's order of {SKU: quantity} (collection, cash unless told otherwise)."""
    buyer = who or shopper()
    for sku, quantity in lines.items():
        await carts.add_item(engine, at.id, buyer, at.products[sku], quantity)
    checkout = Checkout(user_key=buyer, idempotency_key=message_id(), **options)
    return (await place_order(engine, at.id, checkout)).order


async def scalar(engine: AsyncEngine, at: Shop, sql: str, **params: Any) -> Any:
    async with tenant_transaction(engine, at.id) as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


async def audited(engine: AsyncEngine, at: Shop, action: str) -> list[AuditEntry]:
    return [entry for entry in await entries(engine, at.id) if entry.action == action]
