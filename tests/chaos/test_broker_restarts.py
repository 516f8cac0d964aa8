"""RabbitMQ, Redis and PostgreSQL each stopped and started again while shoppers chat."""

from __future__ import annotations

import pytest

from tests.chaos.conftest import Private
from tests.chaos.faults import CONVERSATIONS, assert_held
from tests.chaos.rig import Rig

pytestmark = pytest.mark.chaos


async def test_a_rabbitmq_restart_loses_and_doubles_nothing(rig: Rig, private: Private) -> None:
    dead_before = await rig.dead_letters()
    run = await rig.converse(CONVERSATIONS, fault=private.rabbit.restart)
    await assert_held(rig, run, dead_before)


async def test_a_redis_restart_loses_and_doubles_nothing(rig: Rig, private: Private) -> None:
    dead_before = await rig.dead_letters()
    run = await rig.converse(CONVERSATIONS, fault=private.redis.restart)
    await assert_held(rig, run, dead_before)


async def test_a_postgres_restart_loses_and_doubles_nothing(rig: Rig, private: Private) -> None:
    dead_before = await rig.dead_letters()
    run = await rig.converse(CONVERSATIONS, fault=private.postgres.restart)
    await assert_held(rig, run, dead_before)
