"""The action server over its protocol, against the real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.protocol import ActionResponse
from actions.registry import ActionContext, Registry
from actions.server import create_app
from commerce.catalog import NewProduct, upsert_products
from commerce.tenants import NewTenant, Tenant, add_tenant

pytestmark = pytest.mark.integration

TOKEN = "actions-test-token"


@pytest.fixture(scope="module")
async def shop(admin_engine: AsyncEngine) -> Tenant:
    code = f"ACT-{uuid.uuid4().hex[:6].upper()}"
    tenant = await add_tenant(
        admin_engine,
        NewTenant(
            code=code,
            name="Actions",
            phone_number_id=str(uuid.uuid4().int % 10**14),
            access_token="t",
        ),
    )
    await upsert_products(
        admin_engine,
        tenant.id,
        [NewProduct("SUGAR", {"en": "Sugar 2kg", "zu": "Ushukela 2kg"}, 4599, "bag")],
    )
    return tenant


@pytest.fixture
async def client(app_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    async with httpx.AsyncClient(transport=transport, base_url="http://actions") as http:
        yield http


def call(action: str, slots: dict[str, Any]) -> dict[str, Any]:
    return {
        "next_action": action,
        "sender_id": "27820001111",
        "tracker": {"sender_id": "27820001111", "slots": slots, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.21",
    }


async def test_the_token_is_required(client: httpx.AsyncClient, shop: Tenant) -> None:
    body = call("action_list_products", {"tenant_id": str(shop.id)})
    assert (await client.post("/webhook", json=body)).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.post("/webhook", json=body, headers=wrong)).status_code == 401
    # Rasa's own endpoint configuration sends the token as a query parameter.
    assert (await client.post(f"/webhook?token={TOKEN}", json=body)).status_code == 200


async def test_listing_products_uses_the_shoppers_language(
    client: httpx.AsyncClient, shop: Tenant
) -> None:
    body = call("action_list_products", {"tenant_id": str(shop.id), "language": "zu"})
    response = await client.post(
        "/webhook", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    [reply] = response.json()["responses"]
    assert reply["response"] == "utter_product_list"
    [row] = reply["elements"]
    assert row["id"].startswith("product:")
    assert (row["title"], row["description"]) == ("Ushukela 2kg", "R45.99 / bag")


async def test_an_unknown_action_is_404_as_in_rasa(client: httpx.AsyncClient) -> None:
    body = call("action_nope", {})
    response = await client.post(
        "/webhook", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 404
    assert response.json()["detail"]["action_name"] == "action_nope"


async def test_a_failing_action_becomes_a_friendly_reply(
    app_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    registry = Registry()

    @registry.register("action_broken")
    async def broken(ctx: ActionContext) -> ActionResponse:
        raise RuntimeError("database on fire")

    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN, registry))
    async with httpx.AsyncClient(transport=transport, base_url="http://actions") as http:
        response = await http.post(
            "/webhook", json=call("action_broken", {}), headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.json() == {"events": [], "responses": [{"response": "utter_action_failed"}]}
    assert any(getattr(r, "action", None) == "action_broken" for r in caplog.records)


async def test_a_tracker_without_a_shop_gets_the_friendly_reply(client: httpx.AsyncClient) -> None:
    body = call("action_list_products", {"tenant_id": "not-a-uuid"})
    response = await client.post(
        "/webhook", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.json()["responses"] == [{"response": "utter_action_failed"}]


async def test_the_previous_token_works_during_a_rotation(app_engine: AsyncEngine) -> None:
    app = create_app(app_engine, "new-token", previous_token="old-token")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://actions") as http:
        for token, status in (("new-token", 404), ("old-token", 404), ("other", 401)):
            response = await http.post(
                "/webhook",
                json=call("action_nope", {}),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == status, token
