"""A worker is killed (SIGKILL) while it has a turn in hand; the other worker takes over its
shards, the killed one is restarted, and the turn it held is redelivered."""

from __future__ import annotations

import pytest

from tests.chaos.faults import CONVERSATIONS, assert_held, kill_worker_mid_turn
from tests.chaos.rig import Rig

pytestmark = pytest.mark.chaos


async def test_a_worker_killed_mid_turn_loses_and_doubles_nothing(rig: Rig) -> None:
    killed: list[str] = []

    async def fault() -> None:
        killed.append(await kill_worker_mid_turn(rig))

    dead_before = await rig.dead_letters()
    run = await rig.converse(CONVERSATIONS, fault=fault)
    assert killed, "no worker was killed"
    await assert_held(rig, run, dead_before, killed=tuple(killed))
