"""Every webhook delivered twice and out of order, as Meta may deliver them."""

from __future__ import annotations

import time

import pytest

from bench.e2e.script import Step
from bench.e2e.shoppers import Shopper, TurnResult
from tests.chaos.faults import CONVERSATIONS, TwiceOutOfOrder, assert_held
from tests.chaos.rig import TURN_TIMEOUT, Rig, burst

pytestmark = pytest.mark.chaos

# Written at once at the end, delivered last first: replies follow the order they were taken.
FINALE = (
    Step("button", "/help", (r"^Tap Products to see what we sell",)),
    Step("button", "/goodbye", (r"^Bye! Come again soon\.$",)),
)


async def test_every_webhook_twice_and_out_of_order_is_answered_once(rig: Rig) -> None:
    twice = TwiceOutOfOrder()

    async def finale(shopper: Shopper) -> TurnResult:
        await twice.flush(shopper, time.monotonic() + TURN_TIMEOUT)
        return await burst(shopper, FINALE, rig.webhooks)

    dead_before = await rig.dead_letters()
    refused_before = rig.webhooks.refused
    run = await rig.converse(CONVERSATIONS, deliver=twice, finale=finale)
    assert rig.webhooks.refused == refused_before, "the gateway refused a webhook"
    await assert_held(rig, run, dead_before)
