"""Tells shoppers and staff what happened to an order, from the commerce outbox.

Order changes write outbox events in the same transaction (commerce/events.py). This loop
drains them: at once when PostgreSQL NOTIFYs a shop's id, and in a slow sweep over every shop
as a backstop. Each event becomes replies on the outbound queue, with ids derived from the
event id, so a re-drained event is never sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bus.base import Bus
from bot.retry import backoff
from commerce import events, tenants
from dialogue.messages import OutboundEnvelope
from dialogue.responses import Responses

log = logging.getLogger("wakala.notifier")

SWEEP_SECONDS = 30.0
# What the shopper hears for each new status, and what staff hear for the events they care for.
SHOPPER_STATUSES = frozenset(
    {"paid", "ready", "out_for_delivery", "delivered", "cancelled", "refunded"}
)
STAFF_RESPONSES = {
    "order.placed": "utter_staff_new_order",
    "order.cancelled": "utter_staff_order_cancelled",
    "order.paid": "utter_staff_order_paid",
}


class Notifier:
    def __init__(
        self, *, engine: AsyncEngine, database_url: str, bus: Bus, responses: Responses
    ) -> None:
        self.engine = engine
        self.database_url = database_url
        self.bus = bus
        self.responses = responses
        self._wake: asyncio.Queue[UUID] = asyncio.Queue()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._listen())
            group.create_task(self._sweep())
            group.create_task(self._drain_woken())

    async def _listen(self) -> None:
        """LISTEN for outbox NOTIFYs, reconnecting after PostgreSQL restarts; every
        (re)connection is followed by a sweep, for what was written while we were away."""
        dsn = make_url(self.database_url).set(drivername="postgresql")
        attempt = 0
        while True:
            try:
                connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning(
                    "cannot LISTEN yet", extra={"event": "notify.listen_failed", "error": str(exc)}
                )
                await asyncio.sleep(backoff(attempt, base=0.2, cap=5.0))  # reconnect backoff
                attempt += 1
                continue
            attempt = 0
            try:
                await self._listen_on(connection)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning(
                    "LISTEN failed", extra={"event": "notify.listen_failed", "error": str(exc)}
                )
            finally:
                with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    await connection.close(timeout=5)

    async def _listen_on(self, connection: asyncpg.Connection) -> None:
        """Until PostgreSQL drops `connection`."""
        lost = asyncio.Event()

        def woken(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            with contextlib.suppress(ValueError):
                self._wake.put_nowait(UUID(payload))

        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(events.CHANNEL, woken)
        await self._wake_all()
        await lost.wait()
        log.warning("LISTEN connection lost", extra={"event": "notify.listen_lost"})

    async def _wake_all(self) -> None:
        try:
            tenant_ids = await events.tenant_ids(self.engine)
        except Exception:  # PostgreSQL away for a moment: the next sweep tries again
            log.exception("outbox sweep failed", extra={"event": "notify.sweep_failed"})
            return
        for tenant_id in tenant_ids:
            self._wake.put_nowait(tenant_id)

    async def _sweep(self) -> None:
        while True:
            await self._wake_all()
            await asyncio.sleep(SWEEP_SECONDS)  # a backstop; NOTIFY wakes us at once

    async def _drain_woken(self) -> None:
        while True:
            tenant_id = await self._wake.get()
            try:
                await self.drain(tenant_id)
            except Exception:  # one shop's trouble must not stop the others' notices
                log.exception("outbox drain failed", extra={"event": "notify.failed"})

    async def drain(self, tenant_id: UUID) -> int:
        numbers = await tenants.channel_numbers(self.engine, tenant_id)
        if not numbers:
            return 0
        staff_language = (await tenants.get_tenant(self.engine, tenant_id)).default_language

        async def handle(event: events.Event) -> None:
            for envelope in self.envelopes(event, numbers[0], staff_language):
                key = f"{envelope.channel}:{envelope.sender_id}:{envelope.to}"
                await self.bus.publish("outbound", key, envelope.model_dump_json().encode())

        return await events.drain(self.engine, tenant_id, handle)

    def envelopes(
        self, event: events.Event, number: str, staff_language: str
    ) -> list[OutboundEnvelope]:
        variables = {k: v for k, v in event.payload.items() if v is not None}
        status = str(event.payload.get("status", ""))
        found: list[OutboundEnvelope] = []
        who = event.recipients
        tell_shopper = "shopper" in event.notify and who.shopper and not who.shopper_opted_out
        if tell_shopper and who.shopper and status in SHOPPER_STATUSES:
            message = self.responses.render(
                f"utter_order_status_{status}", who.shopper_language, variables
            )
            found.append(
                OutboundEnvelope(
                    id=f"outbox:{event.id}:shopper",
                    sender_id=number,
                    to=who.shopper,
                    message=message,
                    tenant_id=str(event.tenant_id),
                    language=who.shopper_language,
                )
            )
        staff_response = STAFF_RESPONSES.get(event.kind)
        if "merchant" in event.notify and staff_response:
            for phone in who.merchant:
                found.append(
                    OutboundEnvelope(
                        id=f"outbox:{event.id}:staff:{phone}",
                        sender_id=number,
                        to=phone,
                        message=self.responses.render(staff_response, staff_language, variables),
                        tenant_id=str(event.tenant_id),
                        language=staff_language,
                    )
                )
        return found
