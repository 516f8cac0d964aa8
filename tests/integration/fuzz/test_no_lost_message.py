"""No lost message: random shopper conversations through the whole running pipeline.

Each example is a new shopper sending a few messages (hostile free text, button taps, a
sticker), delivered as Meta may deliver them: some twice, some out of order, some twice past
the gateway's dedupe (straight onto the bus, as when a gateway dies between publishing and
marking). Then a last message: once its turn is done, every earlier turn is (a conversation's
turns run in order), and a marker sent down the conversation's outbound lane after it proves
every reply went out (a conversation's replies are sent in order).

Afterwards, for that shopper:
* every message the gateway accepted was processed exactly once: the conversation state's
  processed ids and the message log's `in` rows are exactly the distinct accepted ids;
* every reply part was sent exactly once: each `out` row is `sent` with its own wamid, the
  Graph API fake received exactly those, and a reply's parts went in order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from channels.whatsapp import simulate
from channels.whatsapp.events import MessageEvent
from channels.whatsapp.inbound import to_inbound
from channels.whatsapp.parse import parse_webhook
from commerce import message_log
from commerce.catalog import NewProduct, upsert_products
from commerce.db import tenant_transaction
from commerce.schema import message_log as log_table
from commerce.tenants import NewTenant, add_tenant
from dialogue.messages import OutboundEnvelope, TextReply
from tests.integration.pipeline import Pipeline, eventually, running_pipeline
from tests.property.strategies import hostile_text

pytestmark = pytest.mark.integration

SHOP = NewTenant(
    code="FUZZ-NOLOSS",
    name="Spaza <b>'; --",
    phone_number_id="200000000000077",
    access_token="token-fuzz-noloss",
)
TAPS = ("/consent_yes", "/consent_no", "/browse_catalog", "/view_cart", "/help", "product:1")


@dataclass
class Shop:
    pipeline: Pipeline
    tenant_id: UUID


@pytest.fixture(scope="module")
async def shop(settings: Settings, admin_engine: AsyncEngine) -> AsyncIterator[Shop]:
    tenant = await add_tenant(admin_engine, SHOP)
    await upsert_products(
        admin_engine,
        tenant.id,
        [
            NewProduct("BREAD", {"en": "White bread 🍞", "zu": "Isinkwa"}, 1699, "loaf"),
            NewProduct("SQL", {"en": "'; DROP TABLE products; --"}, 999),
            NewProduct("HTML", {"en": "<script>alert(1)</script>", "st": "خبز"}, 1299),
        ],
    )
    async with running_pipeline(settings, SHOP) as pipeline:
        yield Shop(pipeline, tenant.id)


# --- what a shopper sends, and how Meta delivers it ------------------------------------------

words = st.sampled_from(
    ["hi", "sawubona", "dumela", "what do you sell?", "2 bread", "yes", "cart", "ngiyabonga"]
)
contents = st.one_of(
    words.map(simulate.text),
    hostile_text(min_size=1, max_size=4).map(simulate.text),
    st.sampled_from(TAPS).map(lambda tap: simulate.button_reply(tap, tap)),
    st.just({"type": "sticker", "sticker": {"id": "1234567890", "mime_type": "image/webp"}}),
)


@dataclass(frozen=True)
class Delivery:
    index: int  # which message
    past_dedupe: bool = False  # straight onto the bus, as a gateway that died before marking


@st.composite
def deliveries(draw: st.DrawFn, count: int) -> list[Delivery]:
    """Every message at least once, some again (through the gateway or past its dedupe),
    in an order that may not be the order they were written in."""
    plan = [Delivery(index) for index in range(count)]
    again = draw(st.lists(st.integers(0, count - 1), max_size=3))
    plan += [Delivery(index, past_dedupe=draw(st.booleans())) for index in again]
    return draw(st.permutations(plan))


@st.composite
def conversations(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Delivery]]:
    messages = draw(st.lists(contents, min_size=1, max_size=5))
    return messages, draw(deliveries(len(messages)))


# --- what happened, for one shopper -----------------------------------------------------------


async def log_rows(engine: AsyncEngine, shop: Shop, sender: str) -> list[Any]:
    async with tenant_transaction(engine, shop.tenant_id) as conn:
        rows = await conn.execute(
            select(log_table).where(log_table.c.customer == sender).order_by(log_table.c.id)
        )
        return list(rows)


async def post(shop: Shop, body: dict[str, Any], sender: str, past_dedupe: bool) -> list[str]:
    """Deliver a webhook body; the ids of the messages it carried (all must be accepted)."""
    events = [e for e in parse_webhook(json.loads(json.dumps(body))) if isinstance(e, MessageEvent)]
    if past_dedupe:
        for event in events:
            inbound = to_inbound(event)
            await shop.pipeline.runtime.bus.publish(
                "inbound", inbound.conversation_key, inbound.model_dump_json().encode()
            )
    else:
        await shop.pipeline.post_raw(body)  # raises unless the gateway answers 200
    return [event.message_id for event in events]


@settings(max_examples=5, deadline=None)
@given(conversation=conversations())
@example(
    conversation=(
        [simulate.text("hi"), simulate.button_reply("/consent_yes", "Yes")],
        [Delivery(1), Delivery(0), Delivery(1, past_dedupe=True), Delivery(0)],
    )
)
@example(  # STOP: the bot goes quiet, and the turns after it are still handled, once
    conversation=(
        [simulate.text("hi"), simulate.text("STOP"), simulate.text("😀 <b>")],
        [Delivery(0), Delivery(1), Delivery(2), Delivery(2, past_dedupe=True)],
    )
)
async def test_every_accepted_message_is_handled_once_and_answered_once(
    shop: Shop,
    admin_engine: AsyncEngine,
    conversation: tuple[list[dict[str, Any]], list[Delivery]],
) -> None:
    messages, plan = conversation
    sender = f"2785{uuid.uuid4().int % 10**7:07d}"  # a new shopper (not `random`: seeded)
    bodies = [
        simulate.message_body(
            phone_number_id=SHOP.phone_number_id,
            sender=sender,
            message=message,
            message_id=f"wamid.FUZZ{uuid.uuid4().hex}",
        )
        for message in messages
    ]
    accepted: list[str] = []
    for delivery in plan:
        accepted += await post(shop, bodies[delivery.index], sender, delivery.past_dedupe)
    last = simulate.message_body(
        phone_number_id=SHOP.phone_number_id,
        sender=sender,
        message=simulate.text("menu"),
        message_id=f"wamid.LAST{uuid.uuid4().hex}",
    )
    [last_id] = await post(shop, last, sender, past_dedupe=False)
    key = f"whatsapp:{SHOP.phone_number_id}:{sender}"
    store = shop.pipeline.runtime.store

    async def last_turn_done() -> bool:
        state = await store.load(key)
        return state is not None and last_id in state.processed

    # A conversation's turns run in order: once the last is done, every earlier one is (or
    # was lost: then this times out). Its replies may be none (a shopper who said STOP).
    await eventually(last_turn_done, timeout=60)
    # Then a marker down the conversation's outbound lane, behind every reply of every turn:
    # once it is sent, they all were.
    marker_text = f"marker {last_id}"
    marker = OutboundEnvelope(
        id=f"{last_id}:marker",
        sender_id=SHOP.phone_number_id,
        to=sender,
        message=TextReply(text=marker_text),
        tenant_id=str(shop.tenant_id),
    )
    await shop.pipeline.runtime.bus.publish("outbound", key, marker.model_dump_json().encode())

    async def marker_sent() -> bool:
        status = await message_log.status_of(admin_engine, shop.tenant_id, f"{marker.id}/0")
        return status == "sent"

    await eventually(marker_sent, timeout=60)

    handled = {*accepted, last_id}
    state = await shop.pipeline.runtime.store.load(f"whatsapp:{SHOP.phone_number_id}:{sender}")
    assert state is not None
    assert sorted(state.processed) == sorted(handled)  # each once: no id twice

    rows = await log_rows(admin_engine, shop, sender)
    assert sorted(row.reference for row in rows if row.direction == "in") == sorted(handled)

    out = [row for row in rows if row.direction == "out" and marker.id not in row.reference]
    assert [row.status for row in out] == ["sent"] * len(out)
    assert {row.reference.partition(":")[0] for row in out} <= handled
    sent = {
        record.wamid: record
        for record in shop.pipeline.graph.messages(to=sender)
        if record.body.get("text", {}).get("body") != marker_text
    }
    wamids = [row.wamid for row in out]
    assert len(set(wamids)) == len(wamids)  # no part sent twice
    assert set(wamids) == set(sent)  # and nothing sent that the log does not know
    for message_id in handled:
        parts = sorted(
            (tuple(map(int, row.reference.split(":")[-1].split("/"))), sent[row.wamid].seq)
            for row in out
            if row.reference.partition(":")[0] == message_id
        )
        assert [seq for _, seq in parts] == sorted(seq for _, seq in parts)  # in order
