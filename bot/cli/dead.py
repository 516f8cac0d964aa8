"""`wakala dead list|replay`: the dead-letter queue for operators."""

from __future__ import annotations

import typer

from bot.bus import dead
from bot.bus.rabbitmq import RabbitBus
from bot.errors import SetupError
from bot.settings import Settings


async def show(settings: Settings, limit: int, *, replay: bool) -> None:
    if not settings.amqp_url:
        raise SetupError(
            "the dead-letter queue lives in RabbitMQ: set AMQP_URL (the embedded bus keeps none)"
        )
    bus = RabbitBus(settings.amqp_url, settings.shards, prefix=settings.namespace)
    await bus.start()
    try:
        letters = await dead.take(bus, limit, replay=replay)
    finally:
        await bus.close()
    for letter in letters:
        done = "replayed" if replay and letter.topic else "parked"
        typer.echo(f"{done:<9} {letter.topic or '?':<9} {len(letter.body):>6} B  {letter.reason}")
    typer.echo(f"{len(letters)} message(s)")
