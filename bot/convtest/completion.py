"""When a turn is over: the worker processed the message and everything it caused was sent.

Four signals, in order, each awaited until the turn's deadline:

1. The worker saves the conversation state, listing the message as processed, only after
   it has published every reply (and after a flooded message's deferred turn).
2. The shop's outbox is empty: order events written during the turn (an order placed, marked
   ready) have been turned into notices on the outbound queue by the notifier.
3. Fences: the runner queues a marker on the outbound lane of every number the turn is about,
   addressed to a number of its own. The sender handles a lane's messages one at a time, in
   order, so when a lane's fence reaches the Graph API fake everything queued on that lane
   before it has been handled.
4. The message log has one row per reply part (`<message id>:<n>/<k>`); a part still `queued`
   is being retried after a Graph error, so the wait goes on until it leaves `queued`.

Everything here reads state, except the fences, which go where no shopper sees them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import window
from bot.convtest.format import FENCE_NUMBER
from bot.convtest.harness import Stack
from bot.simulator.graph_fake import SentRecord
from bot.store.base import Store
from commerce import events
from commerce.db import tenant_transaction
from commerce.schema import message_log
from dialogue.messages import InboundMessage, OutboundEnvelope, TextReply

POLL_SECONDS = 0.02


class TurnTimeout(Exception):
    """A turn did not finish in time; the message says which step never happened."""


@dataclass(frozen=True, slots=True)
class Part:
    reference: str  # "<message id>:<reply>/<part>"
    status: str
    wamid: str | None
    error: str | None


def conversation_key(phone_number_id: str, sender: str) -> str:
    """The key the worker keeps the state under and the bus shards the lanes by."""
    message = InboundMessage(
        message_id="-", recipient_id=phone_number_id, sender_id=sender, timestamp=0, kind="text"
    )
    return message.conversation_key


async def processed(store: Store, key: str, message_id: str) -> bool:
    state = await store.load(key)
    return state is not None and state.has_processed(message_id)


async def outbound_parts(engine: AsyncEngine, tenant_id: UUID, message_id: str) -> list[Part]:
    """The message log's rows for every reply part to one inbound message."""
    table = message_log
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(
            select(table.c.reference, table.c.status, table.c.wamid, table.c.error_detail)
            .where(
                table.c.direction == "out",
                table.c.reference.startswith(f"{message_id}:", autoescape=True),
            )
            .order_by(table.c.id)
        )
        return [Part(r.reference, r.status, r.wamid, r.error_detail) for r in rows]


async def open_fence_window(store: Store, phone_number_id: str) -> None:
    """The fence is a free-form message, so its recipient's 24-hour window must be open."""
    await window.opened(store, phone_number_id, FENCE_NUMBER, int(time.time()))


async def _until(
    check: Callable[[], Awaitable[bool]], stack: Stack, deadline: float, why: str
) -> None:
    loop = asyncio.get_running_loop()
    while not await check():
        stack.check_running()
        if loop.time() > deadline:
            raise TurnTimeout(why)
        await asyncio.sleep(POLL_SECONDS)  # polling a completion signal, bounded by the deadline


async def outbox_drained(engine: AsyncEngine, tenant_id: UUID) -> bool:
    return not await events.pending(engine, tenant_id, limit=1)


def is_fence(record: SentRecord) -> bool:
    return record.to == FENCE_NUMBER


async def _fence(
    stack: Stack, tenant_id: UUID, phone_number_id: str, numbers: Iterable[str], message_id: str
) -> Callable[[], Awaitable[bool]]:
    """Queue a fence behind everything on each number's lane; a check that all arrived."""
    start = len(stack.graph.sent)
    markers: set[str] = set()
    for number in dict.fromkeys(numbers):
        marker = f"convtest fence {message_id} {number}"
        fence = OutboundEnvelope(
            id=f"convtest-fence:{message_id}:{number}",
            sender_id=phone_number_id,
            to=FENCE_NUMBER,
            message=TextReply(text=marker),
            tenant_id=str(tenant_id),
        )
        key = conversation_key(phone_number_id, number)
        await stack.runtime.bus.publish("outbound", key, fence.model_dump_json().encode())
        markers.add(marker)

    async def arrived() -> bool:
        seen = {str(r.body.get("text", {}).get("body")) for r in stack.graph.sent[start:]}
        return markers <= seen

    return arrived


async def wait_for_turn(
    stack: Stack,
    *,
    tenant_id: UUID,
    phone_number_id: str,
    sender: str,
    message_id: str,
    lanes: Iterable[str],
    timeout: float,
) -> list[Part]:
    """Wait until the turn is over: processed, its order events published, and every lane
    in `lanes` (numbers, besides the sender's) caught up. Returns the turn's reply parts.
    Raises `TurnTimeout` naming the step that never happened."""
    deadline = asyncio.get_running_loop().time() + timeout
    key = conversation_key(phone_number_id, sender)
    await _until(
        lambda: processed(stack.runtime.store, key, message_id),
        stack,
        deadline,
        f"the worker did not finish message {message_id} within {timeout:g}s (the state of "
        f"{key} does not list it as processed); the worker's log says why",
    )
    await _until(
        lambda: outbox_drained(stack.runtime.engine, tenant_id),
        stack,
        deadline,
        f"the shop's order events were not turned into notices within {timeout:g}s after "
        f"message {message_id} (is the notifier running?)",
    )
    arrived = await _fence(stack, tenant_id, phone_number_id, [sender, *lanes], message_id)
    await _until(
        arrived,
        stack,
        deadline,
        f"the replies to message {message_id} were not all sent within {timeout:g}s (the "
        "sender did not reach the end of the conversation's outbound queues)",
    )
    parts: list[Part] = []

    async def settled() -> bool:
        nonlocal parts
        parts = await outbound_parts(stack.runtime.engine, tenant_id, message_id)
        return all(part.status != "queued" for part in parts)

    await _until(
        settled,
        stack,
        deadline,
        f"a reply to message {message_id} was still being retried after {timeout:g}s",
    )
    return parts
