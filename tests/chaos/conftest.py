"""Fault tests: Wakala's services as separate processes (bench/e2e's cluster) on PostgreSQL,
Redis and RabbitMQ instances of their own, which the tests stop and start mid-load.

The shared services of the machine are never restarted. Everything here starts once per test
session (the private servers, then the cluster) and is stopped at the end; logs stay in
reports/chaos/<time>/ for a failing run to be read.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bench.e2e.cluster import Cluster, Infra, Layout
from bench.e2e.procs import ROOT
from bench.e2e.shoppers import Replies, Webhooks
from bot import window
from bot.convtest.shops import SeededShop, load_shops, seed
from bot.store.redis import RedisStore
from commerce.db import create_engine
from tests.chaos.rig import Rig, Watchdog
from tests.chaos.services import PrivatePostgres, PrivateRabbit, PrivateRedis

SHOPS = ROOT / "bench" / "e2e" / "shops.yml"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos: fault tests on private PostgreSQL, Redis and RabbitMQ (tests/chaos)"
    )


@dataclass
class Private:
    postgres: PrivatePostgres
    redis: PrivateRedis
    rabbit: PrivateRabbit


@pytest.fixture(scope="session")
async def private() -> AsyncIterator[Private]:
    home = Path(tempfile.mkdtemp(prefix="wakala-chaos-"))
    found = Private(
        PrivatePostgres(home / "postgres"),
        PrivateRedis(home / "redis"),
        PrivateRabbit(home / "rabbit"),
    )
    servers = (found.postgres, found.redis, found.rabbit)
    try:
        await asyncio.gather(*(server.start() for server in servers))
        yield found
    finally:
        await asyncio.gather(*(server.proc.stop(60) for server in servers), return_exceptions=True)
        shutil.rmtree(home, ignore_errors=True)


async def open_staff_windows(infra: Infra, shops: list[SeededShop]) -> None:
    """Staff get order notices, which WhatsApp lets through only within 24 hours of the staff
    member's last message: as if each had written to their shop just now."""
    store = RedisStore(infra.redis_url, prefix=infra.namespace)
    try:
        for shop in shops:
            for phone in shop.spec.staff:
                await window.opened(store, shop.spec.phone_number_id, phone, int(time.time()))
    finally:
        await store.close()


@pytest.fixture(scope="session")
async def rig(private: Private) -> AsyncIterator[Rig]:
    logs = ROOT / "reports" / "chaos" / time.strftime("%Y%m%d-%H%M%S")
    infra = Infra(private.postgres.url, private.redis.url, private.rabbit.url, "chaos")
    cluster = Cluster(infra, Layout(workers=2, senders=2, shards=4), logs)
    watchdog = Watchdog(cluster)
    try:
        await cluster.start()
        engine = create_engine(infra.database_url, pool_size=1)
        try:
            shops = list((await seed(engine, load_shops(SHOPS))).values())
        finally:
            await engine.dispose()
        await open_staff_windows(infra, shops)
        watchdog.start()
        secret = cluster.settings.app_secret.get_secret_value()
        async with Replies(cluster.urls["graph"]) as replies, httpx.AsyncClient() as http:
            webhooks = Webhooks(cluster.urls["gateway"], secret, http)
            yield Rig(cluster, shops, replies, webhooks, watchdog, http)
    finally:
        await watchdog.stop()
        await cluster.stop()
