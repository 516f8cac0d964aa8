"""A whole running pipeline for integration tests: `wakala`'s services on the real PostgreSQL,
Redis and RabbitMQ, the trained NLU model, and a Graph API fake that records what is sent.

The pipeline itself is bot/convtest/harness.py (shared with `wakala test conversations`);
this module keeps the shopper-shaped helpers the tests use."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from bot.convtest.harness import Stack, running_stack
from bot.runtime import Runtime
from bot.settings import Settings
from bot.simulator.graph_fake import GraphFake, SentRecord
from channels.whatsapp import simulate
from commerce.tenants import NewTenant


@dataclass
class Pipeline:
    stack: Stack
    shop: NewTenant  # the shop messages go to unless a call names another

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    @property
    def graph(self) -> GraphFake:
        return self.stack.graph

    @property
    def http(self) -> httpx.AsyncClient:
        return self.stack.http

    @property
    def gateway_url(self) -> str:
        return self.stack.gateway_url

    @property
    def runtime(self) -> Runtime:
        return self.stack.runtime

    async def say(
        self,
        text: str,
        *,
        sender: str,
        shop: NewTenant | None = None,
        replies: int = 1,
        message_id: str | None = None,
    ) -> list[SentRecord]:
        message = simulate.text(text)
        return await self._post(
            message, sender=sender, shop=shop, replies=replies, message_id=message_id
        )

    async def join(
        self, greeting: str, *, sender: str, shop: NewTenant | None = None
    ) -> list[SentRecord]:
        """A new shopper's first turns: the greeting gets the consent notice, agreeing gets
        thanks and the menu. Returns [notice, thanks, menu]."""
        [notice] = await self.say(greeting, sender=sender, shop=shop)
        agreed = await self.tap("/consent_yes", sender=sender, shop=shop, replies=2)
        return [notice, *agreed]

    async def tap(
        self, button_id: str, *, sender: str, shop: NewTenant | None = None, replies: int = 1
    ) -> list[SentRecord]:
        message = simulate.button_reply(button_id, button_id)
        return await self._post(message, sender=sender, shop=shop, replies=replies)

    async def _post(
        self,
        message: dict[str, object],
        *,
        sender: str,
        shop: NewTenant | None,
        replies: int,
        message_id: str | None = None,
    ) -> list[SentRecord]:
        body = simulate.message_body(
            phone_number_id=(shop or self.shop).phone_number_id,
            sender=sender,
            message=message,
            message_id=message_id,
        )
        before = self.graph.sent[-1].seq if self.graph.sent else 0
        await self.post_raw(body)
        return await self.graph.wait_for(replies, to=sender, after=before, timeout=30)

    def text_body(self, text: str, *, sender: str) -> dict[str, object]:
        return simulate.message_body(
            phone_number_id=self.shop.phone_number_id, sender=sender, message=simulate.text(text)
        )

    async def post_raw(self, body: dict[str, object]) -> None:
        await self.stack.post_webhook(body)


@contextlib.asynccontextmanager
async def running_pipeline(settings: Settings, shop: NewTenant) -> AsyncIterator[Pipeline]:
    """Start every service (in this process, as `wakala run` does) against a Graph API fake."""
    async with running_stack(settings) as stack:
        yield Pipeline(stack, shop)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Wait for a condition that another task makes true (polls; bounded by a deadline)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def text_of(record: SentRecord) -> str:
    body = record.body
    if body["type"] == "text":
        return str(body["text"]["body"])
    if body["type"] == "template":
        return str(body["template"]["name"])
    return str(body["interactive"]["body"]["text"])
