"""Build and run the services, on real URLs when configured, on embedded parts otherwise."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import demo
from bot.admin import build_admin_throttle
from bot.bus.base import Bus
from bot.bus.memory import MemoryBus
from bot.bus.rabbitmq import RabbitBus
from bot.database import admin_url, app_url
from bot.errors import ServiceUnavailable
from bot.settings import Settings
from bot.simulator.graph_fake import GraphFake
from bot.store.base import Store
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from bot.throughput.base import FloodThrottle, OutboundLimiter, OutboundLimits
from bot.throughput.memory import MemoryFloodThrottle, MemoryLimiter
from bot.throughput.redis import RedisFloodThrottle, RedisLimiter
from commerce.db import create_engine
from commerce.migrate import upgrade

log = logging.getLogger("wakala.run")

Service = Literal["gateway", "worker", "sender", "actions", "admin"]
ALL_SERVICES: tuple[Service, ...] = ("gateway", "worker", "sender", "actions", "admin")


@dataclass
class Runtime:
    """Everything a running deployment holds; closed in reverse order of opening."""

    settings: Settings
    admin_engine: AsyncEngine
    engine: AsyncEngine
    bus: Bus
    store: Store
    limiter: OutboundLimiter
    throttle: FloodThrottle
    http: httpx.AsyncClient
    app_url: str
    admin_throttle: FloodThrottle
    graph_fake: GraphFake | None = None
    urls: dict[str, str] = field(default_factory=dict)


async def migrate(settings: Settings) -> str:
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
    url = admin_url(settings)
    try:
        return await upgrade(url, app_role=settings.app_db_role, app_password=password)
    except (OSError, DBAPIError) as exc:
        raise ServiceUnavailable(
            f"cannot migrate PostgreSQL at {make_url(url).render_as_string(hide_password=True)} "
            f"({exc.__class__.__name__}: {str(exc).splitlines()[0]}); start it (see "
            "DEVELOPERS.md) or fix DATABASE_URL"
        ) from exc


def build_bus(settings: Settings) -> Bus:
    if settings.amqp_url:
        return RabbitBus(settings.amqp_url, settings.shards, prefix=settings.namespace)
    return MemoryBus(settings.shards)


def build_store(settings: Settings) -> Store:
    if settings.redis_url:
        return RedisStore(settings.redis_url, prefix=settings.namespace)
    return MemoryStore()


def build_limits(settings: Settings) -> tuple[OutboundLimiter, FloodThrottle]:
    limits = OutboundLimits(
        rate=settings.send_rate,
        rates=settings.send_rates,
        pair_interval=settings.pair_interval,
        pair_burst=settings.pair_burst,
    )
    limit, window_seconds = settings.flood_limit, settings.flood_window
    if settings.redis_url:
        prefix = settings.namespace
        return (
            RedisLimiter(settings.redis_url, limits, prefix=prefix),
            RedisFloodThrottle(
                settings.redis_url, prefix=prefix, limit=limit, window=window_seconds
            ),
        )
    return MemoryLimiter(limits), MemoryFloodThrottle(limit=limit, window=window_seconds)


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    settings.require_complete_services()
    admin = admin_url(settings)
    if settings.should_migrate_on_start:
        await migrate(settings)
    admin_engine = create_engine(admin, pool_size=2)
    app_database = app_url(settings, admin)
    engine = create_engine(app_database)
    bus, store = build_bus(settings), build_store(settings)
    limiter, throttle = build_limits(settings)
    admin_throttle = build_admin_throttle(settings)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
    runtime = Runtime(
        settings,
        admin_engine,
        engine,
        bus,
        store,
        limiter,
        throttle,
        http,
        app_database,
        admin_throttle,
    )
    try:
        await store.start()
        await limiter.start()
        await throttle.start()
        await admin_throttle.start()
        await bus.start()
        if settings.should_seed_demo:
            await demo.seed(admin_engine)
        yield runtime
    finally:
        await bus.close()
        await admin_throttle.close()
        await throttle.close()
        await limiter.close()
        await store.close()
        await http.aclose()
        await engine.dispose()
        await admin_engine.dispose()
