"""Delivery statuses of the bot's messages, as the shopper's phone makes Meta send them.

`sent` and `delivered` follow each send after a short latency, as Meta's do — which also lets
the sender store the wamid they refer to first (a status for a wamid it does not know yet is
dropped as stale). `read` follows once the page has shown the message (`seen`), never before
`delivered`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from bot.simulator.graph_fake import SentRecord
from bot.simulator.web.phone import Phone, StatusKind

log = logging.getLogger("wakala.simulator")

LATENCY = 0.3  # seconds between Meta's answer and its first status webhook, roughly as seen live


class Receipts:
    def __init__(
        self, phone: Phone, display: Callable[[str], str], latency: float = LATENCY
    ) -> None:
        self.phone = phone
        self.display = display  # phone_number_id -> its display number, for the metadata
        self.latency = latency
        self._known: dict[str, SentRecord] = {}
        self._delivered: set[str] = set()
        self._read: set[str] = set()
        self._seen_early: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_record(self, record: SentRecord) -> None:
        """A Graph API fake listener: deliver in the background, as Meta does."""
        self._known[record.wamid] = record
        task = asyncio.create_task(self._deliver(record))
        self._tasks.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._tasks.discard)

    async def seen(self, wamids: Iterable[str]) -> int:
        """The page showed these messages: read receipts for those delivered (the others get
        theirs on delivery). Returns how many were new; unknown ids are ignored."""
        fresh = 0
        for wamid in wamids:
            record = self._known.get(wamid)
            if record is None or wamid in self._read or wamid in self._seen_early:
                continue
            fresh += 1
            if wamid in self._delivered:
                await self._read_one(record)
            else:
                self._seen_early.add(wamid)
        return fresh

    async def idle(self) -> None:
        """Wait until the statuses in flight have been posted."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def _deliver(self, record: SentRecord) -> None:
        await asyncio.sleep(self.latency)  # stands for the network: no event to wait on
        await self._post(record, "sent")
        await self._post(record, "delivered")
        self._delivered.add(record.wamid)
        if record.wamid in self._seen_early:
            self._seen_early.discard(record.wamid)
            await self._read_one(record)

    async def _read_one(self, record: SentRecord) -> None:
        self._read.add(record.wamid)
        await self._post(record, "read")

    async def _post(self, record: SentRecord, status: StatusKind) -> None:
        code = await self.phone.status(
            phone_number_id=record.phone_number_id,
            display_phone_number=self.display(record.phone_number_id),
            recipient=record.to,
            message_id=record.wamid,
            status=status,
        )
        if code != 200:
            log.warning(
                "status webhook refused",
                extra={"event": "simulator.status_refused", "status": status, "code": code},
            )
