"""Real services for integration tests: a fresh database and fresh names for this run.

A service that is down fails the run with the command that starts it: never a skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bus.rabbitmq import RabbitBus
from bot.database import app_url
from bot.settings import Settings
from commerce.db import create_engine
from commerce.migrate import upgrade

ADMIN_URL = os.environ.get(
    "WAKALA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("WAKALA_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
AMQP_URL = os.environ.get("WAKALA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RUN = uuid.uuid4().hex[:8]
DEVELOPERS = "see DEVELOPERS.md for the command that starts it"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A new database for this run, migrated to head; dropped afterwards."""
    name = f"wakala_test_{RUN}"
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(ADMIN_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} is not reachable ({exc}); {DEVELOPERS}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        await upgrade(url, app_role="wakala_app", app_password=None)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def admin_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(database_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """Connected as the app role, which owns nothing: row-level security applies."""
    engine = create_engine(app_url(settings, database_url))
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def redis_url() -> AsyncIterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable ({exc}); {DEVELOPERS}")
    yield REDIS_URL
    async for key in client.scan_iter(match=f"t{RUN}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture(scope="session")
async def amqp_url() -> AsyncIterator[str]:
    bus = RabbitBus(AMQP_URL, shards=1, prefix=f"t{RUN}-probe")
    try:
        await bus.start()
    except Exception as exc:
        pytest.fail(f"RabbitMQ at {AMQP_URL} is not reachable ({exc}); {DEVELOPERS}")
    await bus.close()
    yield AMQP_URL
    await delete_queues(AMQP_URL, f"t{RUN}")


async def delete_queues(url: str, prefix: str) -> None:
    """Remove this run's queues and exchanges (names start with the run's namespace)."""
    import aio_pika

    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    for topic in ("inbound", "overflow", "outbound", "status"):
        for shard in range(64):
            for name in (f"{prefix}.{topic}.{shard}", f"{prefix}-probe.{topic}.{shard}"):
                await channel.queue_delete(name, if_empty=False, if_unused=False)
    for name in (f"{prefix}.dead", f"{prefix}-probe.dead"):
        await channel.queue_delete(name)
    for suffix in ("inbound", "overflow", "outbound", "status", "dlx"):
        for base in (prefix, f"{prefix}-probe"):
            await channel.exchange_delete(f"{base}.{suffix}")
    await connection.close()


@pytest.fixture(scope="session")
def namespace() -> str:
    return f"t{RUN}"


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, amqp_url: str, namespace: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        amqp_url=amqp_url,
        namespace=namespace,
        shards=4,
        gateway_port=free_port(),
        actions_port=free_port(),
        nlu_port=free_port(),
        simulator_port=free_port(),
        seed_demo=False,
    )


async def drain(url: str, queue_names: list[str]) -> list[bytes]:
    """Take every ready message off the given queues (single-active-consumer queues refuse
    basic.get, so this counts what is ready and consumes exactly that many)."""
    import aio_pika

    connection = await aio_pika.connect(url)
    bodies: list[bytes] = []
    try:
        channel = await connection.channel()
        for name in queue_names:
            queue = await channel.declare_queue(name, passive=True)
            ready = queue.declaration_result.message_count or 0
            if not ready:
                continue
            async with queue.iterator(no_ack=True) as messages:
                async for message in messages:
                    bodies.append(message.body)
                    ready -= 1
                    if ready == 0:
                        break
    finally:
        await connection.close()
    return bodies
