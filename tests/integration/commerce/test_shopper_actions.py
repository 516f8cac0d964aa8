"""The shopper's actions over Rasa's action-server protocol, against the real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.server import create_app
from commerce import consent, stock
from commerce.db import tenant_transaction
from commerce.order_status import change_status
from commerce.orders import shopper_order

from .conftest import Shop, message_id, shopper

pytestmark = pytest.mark.integration
TOKEN = "shopper-actions-token"


@pytest.fixture
async def http(app_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://actions", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


class Chat:
    """One shopper talking to one shop through the action server."""

    def __init__(self, http: httpx.AsyncClient, shop: Shop, who: str | None = None) -> None:
        self.http, self.shop, self.who = http, shop, who or shopper()
        self.slots: dict[str, Any] = {"tenant_id": str(shop.id), "language": "en"}

    async def run(
        self, action: str, entities: dict[str, Any] | None = None, *, wamid: str | None = None
    ) -> dict[str, Any]:
        latest = {
            "text": "",
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "message_id": message_id() if wamid is None else wamid,
        }
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

    async def say(self, action: str, entities: dict[str, Any] | None = None, **kw: Any) -> str:
        [response] = (await self.run(action, entities, **kw))["responses"]
        return str(response["response"])


async def _orders(engine: AsyncEngine, shop: Shop) -> int:
    async with tenant_transaction(engine, shop.id) as conn:
        return int((await conn.execute(text("SELECT count(*) FROM orders"))).scalar_one())


async def test_a_shopper_fills_a_cart_and_checks_out(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    chat = Chat(http, shop)
    assert await chat.say("action_view_cart") == "utter_cart_empty"
    assert await chat.say("action_add_to_cart") == "utter_ask_product"
    reply = await chat.run(
        "action_add_to_cart", {"product_id": f"product:{shop.products['BREAD']}", "quantity": "3"}
    )
    assert reply["responses"] == [
        {
            "response": "utter_added_to_cart",
            "product": "White bread",
            "quantity": 3,
            "cart_count": 3,
            "cart_total": "R47.97",
        }
    ]
    assert {"event": "slot", "name": "product_id", "value": None} in reply["events"]
    await chat.run("action_add_to_cart", {"product_id": shop.products["MILK"]})
    [removed] = (await chat.run("action_remove_from_cart", {"product_id": shop.products["MILK"]}))[
        "responses"
    ]
    assert (removed["response"], removed["product"], removed["cart_total"]) == (
        "utter_removed_from_cart",
        "Milk 1L",
        "R47.97",
    )
    assert await chat.say("action_remove_from_cart", {"product_id": shop.products["MILK"]}) == (
        "utter_not_in_cart"
    )
    [cart] = (await chat.run("action_view_cart"))["responses"]
    assert cart["elements"] == [
        {
            "id": f"remove:{shop.products['BREAD']}",
            "title": "White bread",
            "description": "3 x R15.99 = R47.97",
        }
    ]

    wamid = message_id()
    first = await chat.run("action_checkout", wamid=wamid)
    again = await chat.run("action_checkout", wamid=wamid)  # the same message, redelivered
    assert first == again
    [placed] = first["responses"]
    assert (placed["response"], placed["order_number"], placed["total"]) == (
        "utter_order_placed",
        "A-0001",
        "R47.97",
    )
    assert chat.slots["order_number"] == "A-0001"
    assert await _orders(app_engine, shop) == 1
    assert await chat.say("action_view_cart") == "utter_cart_empty"
    assert await chat.say("action_checkout") == "utter_cart_empty"


async def test_delivery_needs_an_address_and_adds_the_fee(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    chat = Chat(http, shop)
    await chat.run("action_add_to_cart", {"product_id": shop.products["SUGAR"]})
    chat.slots.update(fulfilment="delivery", payment_method="card")
    assert await chat.say("action_checkout") == "utter_ask_address"
    chat.slots["address"] = "5 Mabaso St"
    [placed] = (await chat.run("action_checkout"))["responses"]
    assert (placed["fulfilment"], placed["payment_method"], placed["delivery_fee"]) == (
        "delivery",
        "card",
        "R0.00",
    )
    order = await shopper_order(app_engine, shop.id, chat.who)
    assert order.payment_method == "card"


async def test_out_of_stock_names_the_product_in_the_shoppers_language(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    await stock.set_stock(app_engine, shop.id, shop.products["BREAD"], 1, actor="staff:*4567")
    chat = Chat(http, shop)
    chat.slots["language"] = "zu"
    reply = await chat.run(
        "action_add_to_cart", {"product_id": shop.products["BREAD"], "quantity": 2}
    )
    assert reply["responses"] == [
        {"response": "utter_out_of_stock", "product": "Isinkwa esimhlophe", "available": 1}
    ]


async def test_status_cancel_and_reorder(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    chat = Chat(http, shop)
    assert await chat.say("action_order_status") == "utter_no_orders"
    assert await chat.say("action_cancel_order") == "utter_no_orders"
    assert await chat.say("action_reorder") == "utter_no_orders"
    await chat.run("action_add_to_cart", {"product_id": shop.products["MILK"], "quantity": 2})
    await chat.run("action_checkout")
    [status] = (await chat.run("action_order_status"))["responses"]
    assert status == {
        "response": "utter_order_status_placed",
        "order_number": "A-0001",
        "total": "R43.98",
    }
    assert (
        await chat.say("action_order_status", {"order_number": "a1"}) == "utter_order_status_placed"
    )
    assert await chat.say("action_order_status", {"order_number": "zz"}) == "utter_no_orders"

    [cancelled] = (await chat.run("action_cancel_order"))["responses"]
    assert cancelled == {"response": "utter_order_cancelled", "order_number": "A-0001"}
    # Asking again changes nothing and says the same (a redelivered STOP-like request).
    [again] = (await chat.run("action_cancel_order", {"order_number": "A-0001"}))["responses"]
    assert again == cancelled

    [reordered] = (await chat.run("action_reorder"))["responses"]
    assert (reordered["response"], reordered["cart_count"], reordered["cart_total"]) == (
        "utter_reordered",
        2,
        "R43.98",
    )
    await chat.run("action_checkout")
    order = await shopper_order(app_engine, shop.id, chat.who)
    for step in ("confirmed", "ready", "delivered"):
        await change_status(app_engine, shop.id, order.id, step, actor="staff:*4567")
    assert await chat.say("action_order_status") == "utter_order_status_delivered"
    [late] = (await chat.run("action_cancel_order", {"order_number": order.number}))["responses"]
    assert (late["response"], late["status"]) == ("utter_cannot_cancel", "delivered")


async def test_stop_and_start_record_consent(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    chat = Chat(http, shop)
    chat.slots["privacy_notice_version"] = "2026-12"
    assert await chat.say("action_opt_out") == "utter_opted_out"
    assert await consent.current(app_engine, shop.id, chat.who) == {
        "messages": False,
        "marketing": False,
    }
    assert await chat.say("action_opt_in") == "utter_opted_in"
    assert (await consent.current(app_engine, shop.id, chat.who))["messages"] is True
    async with tenant_transaction(app_engine, shop.id) as conn:
        versions = set((await conn.execute(text("SELECT text_version FROM consents"))).scalars())
    assert versions == {"2026-12"}


async def test_a_checkout_without_a_message_id_fails_safely(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    chat = Chat(http, shop)
    await chat.run("action_add_to_cart", {"product_id": shop.products["MILK"]})
    assert await chat.say("action_checkout", wamid="") == "utter_action_failed"
    assert await _orders(app_engine, shop) == 0
