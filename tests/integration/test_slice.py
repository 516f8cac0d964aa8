"""The end-to-end slice: signed webhooks in, Graph API requests out, with real PostgreSQL,
Redis, RabbitMQ, a Rasa model trained from nlu_data/, the action server and the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.simulator.graph_fake import SentRecord
from commerce import message_log
from commerce.catalog import NewProduct, upsert_products
from commerce.tenants import NewTenant, add_tenant, tenant_for_number
from tests.integration.pipeline import Pipeline, eventually, running_pipeline, text_of

pytestmark = pytest.mark.integration

SHOP_A = NewTenant(
    code="SLICE-A",
    name="Spaza A",
    phone_number_id="200000000000001",
    access_token="token-shop-a",
    default_language="en",
)
SHOP_B = NewTenant(
    code="SLICE-B",
    name="Tuck B",
    phone_number_id="200000000000002",
    access_token="token-shop-b",
)


@pytest.fixture(scope="module")
async def pipeline(settings: Settings, admin_engine: AsyncEngine) -> AsyncIterator[Pipeline]:
    shop_a = await add_tenant(admin_engine, SHOP_A)
    shop_b = await add_tenant(admin_engine, SHOP_B)
    await upsert_products(
        admin_engine,
        shop_a.id,
        [
            NewProduct(
                "BREAD", {"en": "White bread", "zu": "Isinkwa", "st": "Bohobe"}, 1699, "loaf"
            ),
            NewProduct("MILK", {"en": "Milk 1L", "zu": "Ubisi", "st": "Lebese"}, 2199, "bottle"),
        ],
    )
    await upsert_products(admin_engine, shop_b.id, [NewProduct("CHIPS", {"en": "Chips"}, 1299)])

    async with running_pipeline(settings, SHOP_A) as running:
        yield running


def button_titles(record: SentRecord) -> list[str]:
    return [b["reply"]["title"] for b in record.body["interactive"]["action"]["buttons"]]


def row_titles(record: SentRecord) -> list[str]:
    sections = record.body["interactive"]["action"]["sections"]
    return [row["title"] for section in sections for row in section["rows"]]


@pytest.mark.parametrize(
    ("greeting", "sender", "expected"),
    [
        ("hi", "27830000001", "Hi!"),
        ("sawubona", "27830000002", "Sawubona"),
        ("dumela", "27830000003", "Dumela"),
    ],
)
async def test_a_greeting_is_answered_in_its_language_with_buttons(
    pipeline: Pipeline, greeting: str, sender: str, expected: str
) -> None:
    notice, thanks, menu = await pipeline.join(greeting, sender=sender)
    # A new shopper first gets the consent notice (POPIA), greeting them in their language.
    assert text_of(notice).startswith(expected)
    assert "Spaza A" in text_of(notice)
    assert [b["reply"]["id"] for b in notice.body["interactive"]["action"]["buttons"]] == [
        "/consent_yes",
        "/consent_no",
        "/change_language",
    ]
    # Once they agree: the greeting with buttons for the main actions, in the same language.
    assert text_of(menu).startswith(expected)
    assert [b["reply"]["id"] for b in menu.body["interactive"]["action"]["buttons"]] == [
        "/browse_catalog",
        "/view_cart",
        "/help",
    ]
    assert thanks.body["type"] == "text"
    assert menu.phone_number_id == SHOP_A.phone_number_id
    assert menu.token == SHOP_A.access_token  # sent with the shop's own token


async def test_the_product_list_is_the_shops_own(pipeline: Pipeline) -> None:
    sender = "27830000011"
    await pipeline.join("hi", sender=sender)
    [reply] = await pipeline.tap("/browse_catalog", sender=sender)
    assert reply.body["interactive"]["type"] == "list"
    assert row_titles(reply) == ["White bread", "Milk 1L"]


async def test_the_products_button_lists_names_in_isizulu(
    pipeline: Pipeline,
) -> None:
    sender = "27830000012"
    await pipeline.join("sawubona", sender=sender)
    [reply] = await pipeline.tap("/browse_catalog", sender=sender)
    assert row_titles(reply) == ["Isinkwa", "Ubisi"]


async def test_shop_b_never_shows_shop_as_products(pipeline: Pipeline) -> None:
    sender = "27830000013"
    await pipeline.join("hi", sender=sender, shop=SHOP_B)
    [reply] = await pipeline.tap("/browse_catalog", sender=sender, shop=SHOP_B)
    assert row_titles(reply) == ["Chips"]
    assert reply.phone_number_id == SHOP_B.phone_number_id
    assert reply.token == SHOP_B.access_token


@pytest.mark.parametrize(
    ("greeting", "question", "sender", "rows"),
    [
        ("hi", "what do you sell?", "27830000021", ["White bread", "Milk 1L"]),
        ("sawubona", "yini ekhona esitolo?", "27830000022", ["Isinkwa", "Ubisi"]),
        ("dumela", "le rekisa eng?", "27830000023", ["Bohobe", "Lebese"]),
    ],
)
async def test_asking_for_the_products_in_words_lists_them_in_that_language(
    pipeline: Pipeline, greeting: str, question: str, sender: str, rows: list[str]
) -> None:
    await pipeline.join(greeting, sender=sender)
    [reply] = await pipeline.say(question, sender=sender)
    assert row_titles(reply) == rows


async def test_the_message_log_follows_a_reply_to_read(
    pipeline: Pipeline, admin_engine: AsyncEngine
) -> None:
    sender = "27830000031"
    [reply] = await pipeline.say("hi", sender=sender, message_id="wamid.log-test")
    tenant = await tenant_for_number(admin_engine, SHOP_A.phone_number_id)
    reference = "wamid.log-test:0/0"  # first part of the first reply to that message
    # The shopper's message was marked read (blue ticks) before the reply went out.
    assert [r.message_id for r in pipeline.graph.reads].count("wamid.log-test") == 1

    async def status_is(expected: str) -> bool:
        return await message_log.status_of(admin_engine, tenant, reference) == expected

    await eventually(lambda: status_is("sent"))
    assert (reference, reply.wamid) in await outbound_refs(admin_engine, tenant)
    for status in ("read", "delivered"):  # Meta may send them out of order
        await pipeline.post_raw(status_body(reply.wamid, status, sender))
    await eventually(lambda: status_is("read"))
    assert await message_log.status_of(admin_engine, tenant, reference) == "read"


async def outbound_refs(engine: AsyncEngine, tenant: UUID) -> list[tuple[str, str | None]]:
    from commerce.db import tenant_transaction
    from commerce.schema import message_log as table

    async with tenant_transaction(engine, tenant) as conn:
        rows = await conn.execute(
            select(table.c.reference, table.c.wamid).where(table.c.direction == "out")
        )
        return [(row.reference, row.wamid) for row in rows]


def status_body(wamid: str, status: str, recipient: str) -> dict[str, object]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "27110000001",
                                "phone_number_id": SHOP_A.phone_number_id,
                            },
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": "1700000000",
                                    "recipient_id": recipient,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
