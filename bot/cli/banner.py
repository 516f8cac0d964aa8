"""What `wakala run` prints once everything is ready."""

from __future__ import annotations

import typer

from bot.runtime import Runtime


async def print_ready(runtime: Runtime) -> None:
    urls = runtime.urls
    mode = "embedded" if runtime.settings.embedded else "external services"
    typer.secho(f"\nWakala is ready ({mode}).", fg=typer.colors.GREEN, bold=True)
    for name in ("gateway", "actions", "nlu", "simulator", "admin"):
        if name in urls:
            typer.echo(f"  {name:<10} {urls[name]}")
    if "simulator" in urls:
        typer.echo(
            "\nWrite as a shopper:  .venv/bin/wakala chat\n"
            f"or:  curl -s -X POST {urls['simulator']}/_simulator/send "
            "-H 'content-type: application/json' -d '{\"text\": \"sawubona\"}'\n"
        )
