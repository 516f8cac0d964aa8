"""The faults, and the check every fault test ends with."""

from __future__ import annotations

import asyncio
import random
import time

from prometheus_client.parser import text_string_to_metric_families

from bench.e2e.procs import Proc
from bench.e2e.shoppers import Shopper
from tests.chaos import verify
from tests.chaos.rig import Rig, Run

CONVERSATIONS = 30


async def _in_flight(rig: Rig, proc: Proc, topic: str) -> float:
    text = (await rig.http.get(f"{rig.cluster.urls[proc.name]}/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "wakala_in_flight":
            return sum(s.value for s in family.samples if s.labels.get("topic") == topic)
    return 0.0


async def kill_worker_mid_turn(rig: Rig, timeout: float = 60.0) -> str:
    """SIGKILL the worker that reports a turn in hand right now; returns its name."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in rig.cluster.named("worker"):
            if proc.running and await _in_flight(rig, proc, "inbound") > 0:
                await proc.kill()
                return proc.name
        await asyncio.sleep(0.01)  # polling the workers' in-flight gauges, bounded
    raise TimeoutError(f"no worker had a turn in hand within {timeout:g}s")


class TwiceOutOfOrder:
    """Meta delivers at least once, in no promised order: every webhook is posted twice,
    either both copies at once (racing each other) or the second copy held back until after
    the shopper's next message has been delivered (a late duplicate, out of order)."""

    def __init__(self, seed: int = 8) -> None:
        self.rng = random.Random(seed)
        self.held: dict[str, bytes] = {}

    async def __call__(self, shopper: Shopper, raw: bytes, deadline: float) -> bool:
        late = self.held.pop(shopper.number, None)
        post = shopper.webhooks.post
        if self.rng.random() < 0.5:
            accepted = all(await asyncio.gather(post(raw, deadline), post(raw, deadline)))
        else:
            accepted = await post(raw, deadline)
            self.held[shopper.number] = raw
        if late is not None:
            await post(late, deadline)
        return accepted

    async def flush(self, shopper: Shopper, deadline: float) -> None:
        """Deliver the copy still held back for `shopper` (of their last message)."""
        late = self.held.pop(shopper.number, None)
        if late is not None:
            await shopper.webhooks.post(late, deadline)


async def assert_held(rig: Rig, run: Run, dead_before: int, killed: tuple[str, ...] = ()) -> None:
    """Every shopper finished; no service died (but the ones the test killed); nothing was
    dead-lettered; transcripts and orders are exact."""
    problems = [f"turn failed: message {t.message_id}: {t.problem}" for t in run.failed]
    problems += [
        f"{name} exited (code {code}) and was restarted by the watchdog"
        for name, code in run.exits
        if name not in killed
    ]
    dead = await rig.dead_letters() - dead_before
    problems += [f"{dead} messages were dead-lettered"] if dead else []
    problems += await verify.check(
        run.shoppers, rig.shops, rig.cluster.urls["graph"], rig.cluster.infra.database_url
    )
    assert not problems, "\n".join(problems[:20])
