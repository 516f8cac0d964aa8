"""Delivery statuses from Meta move our outbound log forward (sent → delivered → read)."""

from __future__ import annotations

import contextlib
import logging
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bus.base import Bus
from bot.directory import Directory
from commerce import message_log
from commerce.errors import UnknownChannel
from dialogue.delivery import DeliveryUpdate

log = logging.getLogger("wakala.delivery")


class DeliveryRecorder:
    def __init__(self, *, bus: Bus, engine: AsyncEngine, directory: Directory) -> None:
        self.bus = bus
        self.engine = engine
        self.directory = directory

    async def run(self) -> None:
        await self.bus.consume("status", self.handle)

    async def _tenant(self, update: DeliveryUpdate) -> UUID | None:
        """The shop whose log the status belongs to: named in the callback data we attached
        when sending, else the shop that owns the number."""
        if update.callback_data:
            with contextlib.suppress(ValueError):
                return UUID(update.callback_data)
        try:
            return (await self.directory.shop_for(update.business_id)).tenant_id
        except UnknownChannel:
            return None

    async def handle(self, body: bytes) -> None:
        update = DeliveryUpdate.model_validate_json(body)
        tenant_id = await self._tenant(update)
        if tenant_id is None:
            log.warning("status for no shop's message", extra={"event": "status.no_shop"})
            return
        moved = await message_log.update_status(
            self.engine,
            tenant_id,
            update.message_id,
            update.status,
            error_code=update.error_code,
            error_detail=update.error_detail,
        )
        level = logging.WARNING if update.status == "failed" else logging.DEBUG
        log.log(
            level,
            "delivery status",
            extra={
                "event": "status.applied" if moved else "status.stale",
                "status": update.status,
                "error_code": update.error_code,
            },
        )
