"""In-memory limiter and throttle for the embedded single-process mode and unit tests.

Each call reads and writes its state without awaiting in between, so it is atomic on the
event loop. Buckets at rest are swept once the table doubles, so memory follows active pairs.
"""

from __future__ import annotations

import asyncio
import time

from bot.throughput import gcra
from bot.throughput.base import (
    DEFAULT_FLOOD_LIMIT,
    DEFAULT_FLOOD_WINDOW,
    MICROS,
    Clock,
    FloodVerdict,
    OutboundLimits,
    Pacing,
    Reservation,
    Sleep,
    check_flood,
    check_penalty,
)

_SWEEP_FLOOR = 1024


class MemoryLimiter(Pacing):
    def __init__(
        self,
        limits: OutboundLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or OutboundLimits()
        self._clock = clock
        self._sleep = sleep
        self._tats: dict[tuple[str, ...], int] = {}
        self._sweep_at = _SWEEP_FLOOR

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    def _now(self) -> int:
        return round(self._clock() * MICROS)

    def _sweep(self, now: int) -> None:
        if len(self._tats) < self._sweep_at:
            return
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        self._sweep_at = max(_SWEEP_FLOOR, 2 * len(self._tats))

    async def reserve(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> Reservation:
        number_cell = self.limits.number_cell(phone_number_id, rate)
        now = self._now()
        self._sweep(now)
        number, pair = (phone_number_id,), (phone_number_id, recipient)
        decision = gcra.reserve(
            now,
            self._tats.get(number, 0),
            number_cell,
            self._tats.get(pair, 0),
            self.limits.pair_cell(),
        )
        if decision.held:
            self._tats[number] = decision.number_tat
            self._tats[pair] = decision.pair_tat
        return Reservation(decision.delay / MICROS, decision.held)

    async def penalise(
        self,
        phone_number_id: str,
        recipient: str | None,
        seconds: float,
        *,
        rate: float | None = None,
    ) -> None:
        penalty = check_penalty(seconds)
        if recipient is None:
            key: tuple[str, ...] = (phone_number_id,)
            cell = self.limits.number_cell(phone_number_id, rate)
        else:
            key, cell = (phone_number_id, recipient), self.limits.pair_cell()
        self._tats[key] = gcra.penalise(self._now(), self._tats.get(key, 0), cell, penalty)


class MemoryFloodThrottle:
    def __init__(
        self,
        *,
        limit: int = DEFAULT_FLOOD_LIMIT,
        window: float = DEFAULT_FLOOD_WINDOW,
        clock: Clock = time.monotonic,
    ) -> None:
        check_flood(limit, window)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._window_us = round(window * MICROS)
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}
        self._sweep_at = _SWEEP_FLOOR

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    async def hit(self, phone_number_id: str, sender: str) -> FloodVerdict:
        now = round(self._clock() * MICROS)
        key = (phone_number_id, sender)
        last_window, last_count = self._counts.get(key, (None, 0))
        counted = gcra.count_hit(now, self._window_us, last_window, last_count)
        if len(self._counts) >= self._sweep_at:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == counted.window}
            self._sweep_at = max(_SWEEP_FLOOR, 2 * len(self._counts))
        self._counts[key] = (counted.window, counted.count)
        return FloodVerdict.judge(self.limit, counted.count, counted.ends_in)
