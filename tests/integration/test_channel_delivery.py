"""The WhatsApp channel under real conditions: the 24-hour window, Graph API errors, token
rotation and a flooding shopper, through the whole pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from commerce import message_log
from commerce.tenants import NewTenant, add_tenant, tenant_for_number
from dialogue.messages import OutboundEnvelope, TextReply
from tests.integration.conftest import drain
from tests.integration.pipeline import Pipeline, eventually, running_pipeline, text_of

pytestmark = pytest.mark.integration

SHOP = NewTenant(
    code="CHAN-A",
    name="Channel Shop",
    phone_number_id="300000000000001",
    access_token="token-channel-a",
)


@pytest.fixture(scope="module")
async def pipeline(settings: Settings, admin_engine: AsyncEngine) -> AsyncIterator[Pipeline]:
    await add_tenant(admin_engine, SHOP)
    flood = settings.model_copy(
        update={
            "flood_limit": 4,
            "flood_window": 3.0,
            "reengagement_templates": {"en": ("shop_update", "en")},
        }
    )
    async with running_pipeline(flood, SHOP) as running:
        yield running


async def notify(pipeline: Pipeline, to: str, text_body: str, reference: str) -> None:
    """A reply nobody asked for just now (e.g. 'your order is ready'), straight to the queue."""
    envelope = OutboundEnvelope(
        id=reference, sender_id=SHOP.phone_number_id, to=to, message=TextReply(text=text_body)
    )
    key = f"whatsapp:{SHOP.phone_number_id}:{to}"
    await pipeline.runtime.bus.publish("outbound", key, envelope.model_dump_json().encode())


async def test_outside_the_window_a_reply_waits_and_a_template_invites(pipeline: Pipeline) -> None:
    shopper = "27840000001"  # has never written: no open window
    before = pipeline.graph.sent[-1].seq if pipeline.graph.sent else 0
    await notify(pipeline, shopper, "Your order A-7 is ready.", "notify-1")
    [invite] = await pipeline.graph.wait_for(1, to=shopper, after=before)
    assert invite.body["type"] == "template"
    assert invite.body["template"]["name"] == "shop_update"
    # The shopper answers: the held reply goes first, then the bot's answer.
    replies = await pipeline.say("hi", sender=shopper, replies=2)
    assert text_of(replies[0]) == "Your order A-7 is ready."
    assert text_of(replies[1]).startswith("Hi!")


async def test_a_transient_graph_error_is_retried_and_sent_once(pipeline: Pipeline) -> None:
    shopper = "27840000002"
    pipeline.graph.fail_next(131000)  # "something went wrong": worth another try
    [reply] = await pipeline.say("hi", sender=shopper)
    assert text_of(reply).startswith("Hi!")
    assert len(pipeline.graph.messages(to=shopper)) == 1


async def test_a_permanent_graph_error_is_dead_lettered_with_its_code(
    pipeline: Pipeline, admin_engine: AsyncEngine, amqp_url: str
) -> None:
    shopper = "27840000003"
    await pipeline.say("hi", sender=shopper)  # opens the window
    pipeline.graph.fail_next(131026)  # undeliverable: no retry can help
    await notify(pipeline, shopper, "This cannot arrive.", "notify-dead")
    tenant = await tenant_for_number(admin_engine, SHOP.phone_number_id)

    async def failed() -> bool:
        return await message_log.status_of(admin_engine, tenant, "notify-dead/0") == "failed"

    await eventually(failed)
    namespace = pipeline.settings.namespace
    dead = await drain(amqp_url, [f"{namespace}.dead"])
    assert any(b"notify-dead" in body for body in dead)
    assert not [r for r in pipeline.graph.messages(to=shopper) if "cannot" in str(r.body)]


async def test_a_rotated_token_is_picked_up_after_meta_refuses_the_old_one(
    pipeline: Pipeline, admin_engine: AsyncEngine
) -> None:
    shopper = "27840000004"
    await pipeline.say("hi", sender=shopper)  # the old token is now cached
    tenant = await tenant_for_number(admin_engine, SHOP.phone_number_id)
    async with admin_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        await conn.execute(text("UPDATE whatsapp_channels SET access_token = 'token-rotated'"))
    pipeline.graph.fail_next(190, status=401)  # Meta refuses the old token once
    [reply] = await pipeline.say("hi", sender=shopper)
    assert reply.token == "token-rotated"


async def test_a_flooding_shopper_is_told_once_and_every_message_is_answered(
    pipeline: Pipeline,
) -> None:
    flooder, other = "27840000005", "27840000006"
    before = pipeline.graph.sent[-1].seq if pipeline.graph.sent else 0
    for _ in range(12):  # three times the limit: a flood even if it straddles two windows
        await pipeline.post_raw(pipeline.text_body("hi", sender=flooder))
    [other_reply] = await pipeline.say("hi", sender=other)  # not slowed by the flood
    assert text_of(other_reply).startswith("Hi!")

    def to_flooder() -> list[str]:
        return [text_of(r) for r in pipeline.graph.messages(to=flooder, after=before)]

    async def all_answered() -> bool:
        return sum(text.startswith("Hi!") for text in to_flooder()) == 12

    await eventually(all_answered, timeout=60)  # nothing accepted is lost
    notices = [text for text in to_flooder() if text.startswith("We are getting many messages")]
    # Told once per flood window (the windows are fixed, so 12 quick messages meet one or two).
    assert 1 <= len(notices) <= 2
