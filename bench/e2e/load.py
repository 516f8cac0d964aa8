"""Closed-loop load: N conversations at once, each a shopper going through the script, waiting
for the bot's replies, then typing for a while (think time) before the next turn. A finished
conversation is replaced by a new shopper, so N stay in progress. Figures come from the turns
that finished inside the measuring window (after a warm-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bench.e2e.script import SHOPPING
from bench.e2e.shoppers import TurnResult


class Conversation(Protocol):
    async def turn(self, index: int) -> TurnResult: ...


@dataclass(frozen=True, slots=True)
class LoadSpec:
    conversations: int
    seconds: float = 60.0  # the measuring window
    warmup: float = 20.0
    think: float = 3.0  # mean seconds between a reply and the next message (uniform 0..2x)
    drain: float = 120.0  # how long turns in flight may take to finish after the window


@dataclass
class LoadResult:
    spec: LoadSpec
    window: tuple[float, float]  # time.time() at its start and end
    turns: list[TurnResult] = field(default_factory=list)
    conversations: int = 0  # finished in full (anywhere in the run)

    @property
    def measured(self) -> list[TurnResult]:
        start, end = self.window
        return [t for t in self.turns if t.ok and start <= t.last <= end]

    @property
    def failed(self) -> list[TurnResult]:
        start, end = self.window
        return [t for t in self.turns if not t.ok and start <= t.started <= end]

    @property
    def turns_per_second(self) -> float:
        start, end = self.window
        return len(self.measured) / (end - start)

    def latency(self, quantile: float, *, first: bool = False) -> float:
        """Seconds from posting the webhook to the last (or first) reply, at `quantile`."""
        values = sorted((t.first if first else t.last) - t.started for t in self.measured)
        return percentile(values, quantile)


def percentile(values: list[float], quantile: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(quantile * 1000) - 1]


async def run_load(
    new_conversation: Callable[[int], Conversation], spec: LoadSpec, *, seed: int = 7
) -> LoadResult:
    """Run `spec.conversations` conversations at once until the window ends, then let the
    turns in flight finish (each conversation stops after its current turn)."""
    rng = random.Random(seed)
    begun = time.time()
    result = LoadResult(spec, (begun + spec.warmup, begun + spec.warmup + spec.seconds))
    stopping = asyncio.Event()
    numbers = iter(range(10**9))

    async def think(mean: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), rng.uniform(0, 2 * mean))

    async def slot() -> None:
        await think(max(spec.think, 0.5))  # spread the first messages out
        while not stopping.is_set():
            conversation = new_conversation(next(numbers))
            for index in range(len(SHOPPING)):
                if stopping.is_set():
                    return
                turn = await conversation.turn(index)
                result.turns.append(turn)
                if not turn.ok:
                    break  # this shopper cannot go on; a new one takes the slot
                await think(spec.think)
            else:
                result.conversations += 1

    tasks = [asyncio.create_task(slot()) for _ in range(spec.conversations)]
    await asyncio.sleep(spec.warmup + spec.seconds)  # the run's length, not a synchronisation
    stopping.set()
    _, late = await asyncio.wait(tasks, timeout=spec.drain)
    for task in late:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result
