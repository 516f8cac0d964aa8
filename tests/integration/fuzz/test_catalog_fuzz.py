"""Hostile product names in the real PostgreSQL: stored and read back exactly, listed and
searched through the action server, and rendered as lists Meta accepts.

Names are what merchants type (emoji, isiZulu and Arabic, invisible characters) and what an
attacker types (SQL, HTML). The only change the catalogue documents is that surrounding
whitespace is trimmed and a name that is only whitespace is dropped. A NUL (U+0000), which
PostgreSQL cannot store at all, is refused with `InvalidInput` naming the product.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.server import create_app
from bot.simulator.graph_fake import validate
from channels.whatsapp.render import render
from commerce.catalog import NewProduct, get_product, list_products, upsert_products
from commerce.errors import InvalidInput
from commerce.tenants import Tenant
from dialogue.messages import ListReply, OutgoingMessage
from dialogue.responses import Responses
from tests.conftest import ROOT
from tests.integration.fuzz.shops import new_shop
from tests.property.strategies import CONTROL, hostile_text

pytestmark = pytest.mark.integration

TOKEN = "fuzz-actions-token"
EXAMPLES = settings(max_examples=25, deadline=None)
RESPONSES = Responses.from_domain(Path(ROOT, "domain.yml"))
LANGUAGES = ("en", "zu", "st")
NUL = "\x00"
TEXT = hostile_text(min_size=1, max_size=6)


@st.composite
def products(draw: st.DrawFn, max_size: int = 6, *, storable: bool = False) -> list[NewProduct]:
    """Products with hostile names; `storable`: none with a NUL (those are refused), for
    tests that need the catalogue written."""
    text = TEXT.filter(lambda name: NUL not in name) if storable else TEXT
    found = []
    for index in range(draw(st.integers(1, max_size))):
        names = {"en": draw(text.filter(lambda name: bool(name.strip())))} | draw(
            st.dictionaries(st.sampled_from(["zu", "st"]), text, max_size=2)
        )
        found.append(
            NewProduct(
                sku=f"SKU-{index}",
                names=names,
                price_cents=draw(st.integers(0, 10**7)),
                unit=draw(st.sampled_from(["each", "loaf", "kg", "2L"])),
            )
        )
    return found


def stored(names: dict[str, str]) -> dict[str, str]:
    """The names as the catalogue documents keeping them."""
    return {language: name.strip() for language, name in names.items() if name.strip()}


@EXAMPLES
@given(items=products())
@example(items=[NewProduct("SQL", {"en": "'; DROP TABLE products; --"}, 100)])
@example(items=[NewProduct("XSS", {"en": "<script>alert(1)</script>", "zu": "<b>"}, 100)])
@example(items=[NewProduct("RTL", {"en": "خبز", "zu": "\u202eliam\u202c", "st": "לחם"}, 100)])
@example(items=[NewProduct("ZWJ", {"en": "Bread 👩‍👩‍👧‍👦🇿🇦\u200b", "st": "\u200d"}, 100)])
@example(items=[NewProduct("CTRL", {"en": "Milk" + "".join(CONTROL[1:])}, 100)])
@example(items=[NewProduct("OK", {"en": "Bread"}, 100), NewProduct("NUL", {"en": "Br\x00d"}, 1)])
async def test_hostile_names_are_stored_and_read_back_exactly(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, items: list[NewProduct]
) -> None:
    """Every character but NUL round-trips; a product with a NUL is refused, naming it, and
    nothing of the batch is written."""
    shop = await new_shop(admin_engine)
    refused = [item.sku for item in items if any(NUL in name for name in item.names.values())]
    if refused:
        with pytest.raises(InvalidInput) as caught:
            await upsert_products(app_engine, shop.id, items)
        assert f"product {refused[0]!r} has a NUL" in str(caught.value)
        assert await list_products(app_engine, shop.id) == []
        return
    assert await upsert_products(app_engine, shop.id, items) == len(items)
    listed = {product.sku: product for product in await list_products(app_engine, shop.id)}
    assert {sku: product.names for sku, product in listed.items()} == {
        item.sku: stored(item.names) for item in items
    }
    for item in items:
        product = await get_product(app_engine, shop.id, listed[item.sku].id)
        assert product.names == stored(item.names)
        assert product.name("zu") == (stored(item.names).get("zu") or item.names["en"].strip())


# --- through the action server -------------------------------------------------------------


@pytest.fixture(scope="module")
async def actions(app_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://actions", headers=headers
    ) as client:
        yield client


async def run_action(
    client: httpx.AsyncClient,
    action: str,
    shop: Tenant,
    language: str,
    entities: dict[str, Any] | None = None,
) -> list[OutgoingMessage]:
    """Run an action as the worker does and render its responses as the worker does."""
    sender = "27830001234"
    body = {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {"tenant_id": str(shop.id), "language": language},
            "latest_message": {
                "text": "",
                "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
                "message_id": f"wamid.{uuid.uuid4().hex}",
            },
        },
        "domain": {},
        "version": "3.6.21",
    }
    response = await client.post("/webhook", json=body)
    assert response.status_code == 200, response.text
    replies = response.json()["responses"]
    assert "utter_action_failed" not in [reply["response"] for reply in replies]
    return [
        RESPONSES.render(
            reply["response"],
            language,
            {k: v for k, v in reply.items() if k != "elements"},
            reply.get("elements"),
        )
        for reply in replies
    ]


def rows_of(message: OutgoingMessage) -> list[str]:
    assert isinstance(message, ListReply)
    return [row.id for section in message.sections for row in section.rows]


@EXAMPLES
@given(items=products(max_size=12, storable=True), language=st.sampled_from(LANGUAGES))
async def test_listing_hostile_products_renders_a_list_meta_accepts(
    admin_engine: AsyncEngine,
    app_engine: AsyncEngine,
    actions: httpx.AsyncClient,
    items: list[NewProduct],
    language: str,
) -> None:
    shop = await new_shop(admin_engine)
    await upsert_products(app_engine, shop.id, items)
    [message] = await run_action(actions, "action_list_products", shop, language)
    cheapest = await list_products(app_engine, shop.id, limit=10)
    assert rows_of(message) == [f"product:{product.id}" for product in cheapest]
    for body in render(message, "27830001234"):
        assert validate(body) is None, (validate(body), body)


@EXAMPLES
@given(items=products(storable=True), pick=st.integers(0, 5), language=st.sampled_from(LANGUAGES))
async def test_searching_for_a_hostile_name_finds_it_and_renders(
    admin_engine: AsyncEngine,
    app_engine: AsyncEngine,
    actions: httpx.AsyncClient,
    items: list[NewProduct],
    pick: int,
    language: str,
) -> None:
    """The search text is typed by the shopper: SQL and HTML in it are only text."""
    shop = await new_shop(admin_engine)
    await upsert_products(app_engine, shop.id, items)
    wanted = items[pick % len(items)]
    typed = " ".join(wanted.names["en"].split())
    [message] = await run_action(
        actions, "action_search_products", shop, language, {"search_text": typed}
    )
    for body in render(message, "27830001234"):
        assert validate(body) is None, (validate(body), body)
    listed = {p.sku: p.id for p in await list_products(app_engine, shop.id)}
    if typed[:100] in wanted.names["en"]:  # the whole phrase is in the stored name
        assert f"product:{listed[wanted.sku]}" in rows_of(message)


@pytest.mark.parametrize(
    ("product", "what"),
    [
        (NewProduct("BR\x00EAD", {"en": "Bread"}, 100), "the SKU"),
        (NewProduct("NUL", {"en": "Br\x00ead"}, 100), "the name in 'en'"),
        (NewProduct("NUL-ZU", {"en": "Bread", "zu": "Isinkwa\x00"}, 100), "the name in 'zu'"),
        (NewProduct("NUL-UNIT", {"en": "Bread"}, 100, unit="lo\x00af"), "the unit"),
        (
            NewProduct("NUL-ALIAS", {"en": "Bread"}, 100, aliases={"en": ("bre\x00d",)}),
            "an alias in 'en'",
        ),
        (NewProduct("NUL-LANG", {"en": "Bread", "z\x00": "Isinkwa"}, 100), "a language code"),
    ],
    ids=["sku", "name", "name-zu", "unit", "alias", "language"],
)
async def test_a_nul_in_a_product_is_refused_naming_the_product(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, product: NewProduct, what: str
) -> None:
    shop = await new_shop(admin_engine)
    with pytest.raises(InvalidInput) as caught:
        await upsert_products(app_engine, shop.id, [product])
    assert str(caught.value).startswith(f"{what} of product {product.sku!r} has a NUL")
