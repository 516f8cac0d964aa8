"""The chaos rig: the cluster of bench/e2e on private services, shoppers that talk to it while a
fault happens, a watchdog that restarts crashed services (as Kubernetes would), and the wait
until the pipeline has nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.e2e.cluster import Cluster
from bench.e2e.script import SHOPPING, Step
from bench.e2e.shoppers import Deliver, Replies, Shopper, TurnResult, Webhooks
from bot.bus.base import TOPICS
from bot.convtest.shops import SeededShop

TURN_TIMEOUT = 180.0  # a turn may wait out a whole broker restart
IDLE_TIMEOUT = 180.0
Fault = Callable[[], Awaitable[None]]


@dataclass
class Watchdog:
    """Restarts any cluster process that exits on its own; remembers which and when."""

    cluster: Cluster
    exits: list[tuple[str, int | None]] = field(default_factory=list)  # (name, exit code)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            for name, proc in self.cluster.procs.items():
                if proc.popen is not None and proc.popen.poll() is not None:
                    self.exits.append((name, proc.popen.returncode))
                    await self.cluster.restart(name)
            await asyncio.sleep(0.2)  # a liveness poll, as a process supervisor does


@dataclass
class Run:
    """What one test's shoppers did."""

    shoppers: list[Shopper]
    turns: list[TurnResult] = field(default_factory=list)
    fault_seconds: float = 0.0
    exits: list[tuple[str, int | None]] = field(default_factory=list)  # services that died

    @property
    def failed(self) -> list[TurnResult]:
        return [turn for turn in self.turns if not turn.ok]


@dataclass
class Rig:
    cluster: Cluster
    shops: list[SeededShop]
    replies: Replies
    webhooks: Webhooks
    watchdog: Watchdog
    http: httpx.AsyncClient
    prefix: int = 30  # each run's shoppers get numbers of their own

    def shoppers(self, count: int, deliver: Deliver | None = None) -> list[Shopper]:
        self.prefix += 1
        return [
            Shopper(
                f"27{self.prefix}{n:07d}",
                self.shops[n % len(self.shops)].spec.phone_number_id,
                self.replies,
                self.webhooks,
                turn_timeout=TURN_TIMEOUT,
                deliver=deliver,
            )
            for n in range(count)
        ]

    async def converse(
        self,
        count: int,
        *,
        fault: Fault | None = None,
        fault_after: float = 0.25,
        deliver: Deliver | None = None,
        finale: Callable[[Shopper], Awaitable[TurnResult]] | None = None,
        think: float = 0.4,
    ) -> Run:
        """`count` shoppers hold the conversation at once; once `fault_after` of all their
        turns are done, `fault` happens while they go on. Returns when all are done."""
        run = Run(self.shoppers(count, deliver))
        exits_before = len(self.watchdog.exits)
        due = max(1, int(fault_after * count * len(SHOPPING)))
        begin_fault = asyncio.Event()
        rng = random.Random(count)

        async def one(shopper: Shopper) -> None:
            await asyncio.sleep(rng.uniform(0, 2 * think))  # arrivals spread out
            for index in range(len(SHOPPING)):
                turn = await shopper.turn(index)
                run.turns.append(turn)
                if len(run.turns) >= due:
                    begin_fault.set()
                if not turn.ok:
                    return
                await asyncio.sleep(rng.uniform(0, 2 * think))  # the shopper typing
            if finale is not None:
                run.turns.append(await finale(shopper))

        async def injected() -> None:
            if fault is None:
                return
            await begin_fault.wait()
            started = time.monotonic()
            await fault()
            run.fault_seconds = time.monotonic() - started

        await asyncio.gather(injected(), *(one(shopper) for shopper in run.shoppers))
        await self.wait_idle()
        run.exits = self.watchdog.exits[exits_before:]
        return run

    async def wait_idle(self) -> None:
        """Until no queue of this deployment holds a message and no consumer is handling one,
        twice in a row: nothing more will be sent."""
        deadline = time.monotonic() + IDLE_TIMEOUT
        quiet = 0
        while quiet < 2:
            quiet = quiet + 1 if await self._idle() else 0
            if time.monotonic() > deadline:
                raise TimeoutError(f"the pipeline was still busy after {IDLE_TIMEOUT:g}s")
            await asyncio.sleep(0.5)  # polling queue depths, bounded by the deadline

    async def _idle(self) -> bool:
        with contextlib.suppress(Exception):
            return await self._queues_empty() and await self._nothing_in_flight()
        return False

    async def _queues_empty(self) -> bool:
        settings = self.cluster.settings
        connection = await aio_pika.connect(settings.amqp_url or "", timeout=5)
        try:
            channel = await connection.channel()
            for topic in TOPICS:
                for shard in range(settings.shards):
                    name = f"{settings.namespace}.{topic}.{shard}"
                    queue = await channel.declare_queue(name, passive=True)
                    if queue.declaration_result.message_count:
                        return False
        finally:
            await connection.close()
        return True

    async def _nothing_in_flight(self) -> bool:
        for proc in self.cluster.named("worker") + self.cluster.named("sender"):
            text = (await self.http.get(f"{self.cluster.urls[proc.name]}/metrics")).text
            for family in text_string_to_metric_families(text):
                if family.name == "wakala_in_flight" and any(s.value for s in family.samples):
                    return False
        return True

    async def dead_letters(self) -> int:
        settings = self.cluster.settings
        connection = await aio_pika.connect(settings.amqp_url or "", timeout=5)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(f"{settings.namespace}.dead", passive=True)
            return queue.declaration_result.message_count or 0
        finally:
            await connection.close()


async def burst(shopper: Shopper, steps: tuple[Step, ...], webhooks: Webhooks) -> TurnResult:
    """Several messages written at once, delivered last first (and each twice): each must
    still get its own replies, once, in the order the bot took them."""
    inbox = shopper.replies.inbox(shopper.number)
    before = len(inbox.messages)
    started = time.time()
    bodies = [shopper.webhook(step)[1] for step in steps]
    deadline = time.monotonic() + TURN_TIMEOUT
    for raw in reversed(bodies):
        await asyncio.gather(webhooks.post(raw, deadline), webhooks.post(raw, deadline))
    expected = sum(len(step.replies) for step in steps)
    arrived = await inbox.wait_for(before + expected, deadline)
    last = inbox.messages[-1].at if len(inbox.messages) > before else 0.0
    problem = None if arrived else f"a burst of {len(steps)} got no full answer"
    return TurnResult(len(SHOPPING), started, last, last, problem)
