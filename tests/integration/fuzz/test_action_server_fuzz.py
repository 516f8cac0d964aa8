"""schemathesis over the action server (Rasa's `POST /webhook`, with the shared token) on the
real PostgreSQL: no input is a server error, and declared responses match their schema.

Generated calls mostly name unknown actions and shops; some are pointed at a real action and
a real shop (with schemathesis's own slots and entities for the rest), so the actions run.
An action that fails answers 200 with `utter_action_failed` by design; for a real shop and a
well-formed tracker that would still be a bug hidden behind a 200, so it is checked too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.registry import registry
from actions.server import create_app
from commerce.catalog import NewProduct, list_products, upsert_products
from tests.integration.fuzz.schemas import Fuzzed, send
from tests.integration.fuzz.shops import new_shop
from tests.property.strategies import hostile_text, json_values

pytestmark = pytest.mark.integration

TOKEN = "fuzz-actions-token"
OPERATIONS = [("GET", "/health"), ("POST", "/webhook")]


@dataclass
class Actions(Fuzzed):
    shop_id: str  # a real shop, so the actions get past the tenant lookup
    product_ids: list[int]


@pytest.fixture(scope="module")
async def actions(admin_engine: AsyncEngine, app_engine: AsyncEngine) -> AsyncIterator[Actions]:
    shop = await new_shop(admin_engine, staff=(STAFF,))
    await upsert_products(
        admin_engine,
        shop.id,
        [
            NewProduct("BREAD", {"en": "Bread '; DROP TABLE products; --"}, 1599, "loaf"),
            NewProduct("MILK", {"en": "Milk <script>", "zu": "Ubisi 🥛"}, 2199),
        ],
    )
    listed = await list_products(app_engine, shop.id)
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    async with httpx.AsyncClient(transport=transport, base_url="http://actions") as client:
        served = (await client.get("/openapi.json")).json()
        yield Actions(
            client=client,
            schema=schemathesis.openapi.from_dict(served),
            auth={"Authorization": f"Bearer {TOKEN}"},
            shop_id=str(shop.id),
            product_ids=[product.id for product in listed],
        )


async def test_every_operation_is_fuzzed(actions: Actions) -> None:
    served = {(op.ok().method.upper(), op.ok().path) for op in actions.schema.get_all_operations()}
    assert served == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
async def test_no_action_server_request_is_a_server_error(
    actions: Actions, method: str, path: str, data: st.DataObject
) -> None:
    def real_action(case: schemathesis.Case, data: st.DataObject) -> None:
        body = case.body
        if not isinstance(body, dict) or not data.draw(st.booleans(), label="real action"):
            return
        body["next_action"] = data.draw(st.sampled_from(registry.names), label="action")
        tracker = body.get("tracker")
        if isinstance(tracker, dict) and isinstance(tracker.get("slots"), dict):
            tracker["slots"]["tenant_id"] = actions.shop_id

    await send(actions, method, path, data, adjust=real_action)


STAFF = "27821110000"
SHOPPER = "27830009999"
REAL_PRODUCT = "@product"  # stands for a real product id, filled in by the test


def call(action: str, sender: str, slots: dict[str, Any], latest: dict[str, Any]) -> Any:
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {"sender_id": sender, "slots": slots, "latest_message": latest},
        "domain": {},
        "version": "3.6.21",
    }


entity_values = st.one_of(
    json_values(max_leaves=4),
    hostile_text(max_size=4),
    st.sampled_from([REAL_PRODUCT, 1, 2, 0, -1, 10**12, "2", "R15.99", "1599", "A-0001"]),
)
entity_names = st.sampled_from(
    [
        *("product_id", "product", "quantity", "money", "search_text", "order_number"),
        *("category_id", "address", "unit", "customer", "amount", "payment_method", "time"),
    ]
)
steps = st.lists(
    st.tuples(
        st.sampled_from(registry.names),
        st.lists(st.tuples(entity_names, entity_values), max_size=3),
        hostile_text(max_size=3),
    ),
    min_size=1,
    max_size=4,
)


def filled(value: Any, product_id: int) -> Any:
    return product_id if value == REAL_PRODUCT else value


@settings(max_examples=60, deadline=None)
@given(
    sender=st.sampled_from([SHOPPER, STAFF]),
    language=st.sampled_from(["en", "zu", "st", "xx"]),
    slots=st.dictionaries(entity_names, entity_values, max_size=2),
    turns=steps,
    pick=st.integers(0, 1),
)
@example(
    sender=SHOPPER,
    language="zu",
    slots={},
    turns=[("action_search_products", [("search_text", "'; DROP TABLE products; --")], "<b>")],
    pick=0,
)
@example(
    sender=SHOPPER,
    language="en",
    slots={},
    turns=[
        ("action_add_to_cart", [("product_id", REAL_PRODUCT), ("quantity", "2")], "2 bread"),
        ("action_view_cart", [], "cart"),
        ("action_checkout", [("address", "12 Vilakazi St <script>")], "checkout"),
    ],
    pick=0,
)
@example(
    sender=SHOPPER,
    language="en",
    slots={"fulfilment": "delivery"},
    turns=[
        ("action_add_to_cart", [("product_id", REAL_PRODUCT)], "bread"),
        ("action_checkout", [("address", "12 Vilakazi\x00 St")], "deliver to 12 Vilakazi St"),
    ],
    pick=0,
)
async def test_real_actions_with_odd_entities_answer_without_failing(
    actions: Actions,
    sender: str,
    language: str,
    slots: dict[str, Any],
    turns: list[tuple[str, list[tuple[str, Any]], str]],
    pick: int,
) -> None:
    """What the worker sends, turn after turn: a real shop, real actions, entities as the NLU
    or a button made them (any JSON), free text, and the slots the earlier turns set. An
    action may refuse politely; it must not fail (`utter_action_failed` is for outages, not
    for input), not even for a NUL character, which PostgreSQL cannot hold.
    """
    product_id = actions.product_ids[pick]
    state = {
        **{name: filled(value, product_id) for name, value in slots.items()},
        "language": language,
        "tenant_id": actions.shop_id,
    }
    for action, entities, text in turns:
        latest = {
            "text": text,
            "entities": [{"entity": n, "value": filled(v, product_id)} for n, v in entities],
            "message_id": f"wamid.{uuid.uuid4().hex}",
        }
        response = await actions.client.post(
            "/webhook", json=call(action, sender, state, latest), headers=actions.auth
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        replies = [reply.get("response") for reply in answer["responses"]]
        assert "utter_action_failed" not in replies, (action, entities, state)
        for event in answer["events"]:
            if event.get("event") == "slot":
                state[str(event["name"])] = event.get("value")


@pytest.mark.parametrize(
    ("typed", "answer", "found"),
    [
        ("bre\x00ad", "utter_search_results", [0]),
        ("milk\x00 1L", "utter_search_results", [1]),
        ("\x00", "utter_product_not_found", []),
    ],
    ids=["in-a-word", "between-words", "alone"],
)
async def test_a_search_with_a_nul_drops_it_and_answers(
    actions: Actions, typed: str, answer: str, found: list[int]
) -> None:
    """A NUL in what the shopper typed (a broken keyboard app) is dropped before searching,
    so the search answers like any other."""
    latest = {
        "text": typed,
        "entities": [{"entity": "search_text", "value": typed}],
        "message_id": f"wamid.{uuid.uuid4().hex}",
    }
    slots = {"tenant_id": actions.shop_id, "language": "en"}
    response = await actions.client.post(
        "/webhook",
        json=call("action_search_products", SHOPPER, slots, latest),
        headers=actions.auth,
    )
    assert response.status_code == 200, response.text
    [reply] = response.json()["responses"]
    assert reply["response"] == answer
    rows = [element["id"] for element in reply.get("elements") or []]
    assert rows == [f"product:{actions.product_ids[index]}" for index in found]
