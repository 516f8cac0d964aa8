"""The `wakala` command line. Every command has help (`wakala COMMAND --help`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from bot import logs
from bot.admin.cli import admin_app
from bot.convtest.cli import app as test_app
from bot.designer.cli import data_app, flows_app
from bot.errors import WakalaError
from bot.marketplace_cli import marketplace_app
from bot.settings import Settings, SettingsError, load_settings
from commerce.errors import CommerceError

app = typer.Typer(
    help="Wakala: conversational commerce on WhatsApp.",
    no_args_is_help=True,
    add_completion=False,
)
nlu_app = typer.Typer(help="Train and try the NLU model.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tenant_app = typer.Typer(help="Shops (tenants).", no_args_is_help=True)
dead_app = typer.Typer(help="The dead-letter queue (RabbitMQ).", no_args_is_help=True)
app.add_typer(nlu_app, name="nlu")
app.add_typer(flows_app, name="flows")
app.add_typer(data_app, name="data")
app.add_typer(admin_app, name="admin")
app.add_typer(test_app, name="test")
app.add_typer(marketplace_app, name="marketplace")
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(dead_app, name="dead")

P = ParamSpec("P")
R = TypeVar("R")


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Operator errors print one clear line with its code and the fix, not a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (WakalaError, SettingsError, CommerceError) as exc:
            text = str(exc) if isinstance(exc, WakalaError) else f"error: {exc}"
            typer.secho(text, fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper


def settings() -> Settings:
    return load_settings()


def run_until_stopped(main: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
    """Run until SIGINT/SIGTERM: the first signal stops gracefully (turns in hand finish, up
    to 30 s), a second one at once. Child processes (the NLU service) and the embedded
    database stop with us."""

    async def guarded() -> None:
        stop = asyncio.Event()
        task = asyncio.ensure_future(main(stop))
        loop = asyncio.get_running_loop()

        def signalled() -> None:
            if stop.is_set():
                task.cancel()
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, signalled)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(guarded())


@app.command()
@friendly
def setup(
    force_train: Annotated[bool, typer.Option(help="Retrain even if nothing changed.")] = False,
) -> None:
    """Build the Rasa environment (once, cached); train the NLU model if data or config changed."""
    from bot.nlu.environment import ensure_rasa_env
    from bot.nlu.training import train

    config = settings()
    ensure_rasa_env(config)
    path, trained = train(config, force=force_train)
    if not trained:
        typer.echo(f"==> NLU model up to date: {path.name}")


@app.command()
@friendly
def run(
    json_logs: Annotated[bool, typer.Option(help="Log JSON lines instead of plain text.")] = False,
) -> None:
    """Run every service in one process: gateway, worker, sender, actions, NLU and simulator.

    With no DATABASE_URL, REDIS_URL and AMQP_URL it runs on embedded defaults (an embedded
    PostgreSQL, an in-process bus and store) and a local WhatsApp simulator.
    """
    from bot.cli.banner import print_ready
    from bot.services import run_services

    config = settings()
    logs.configure(json_logs=json_logs)
    run_until_stopped(lambda stop: run_services(config, on_ready=print_ready, stop=stop))


@app.command()
@friendly
def serve(
    services: Annotated[list[str], typer.Argument(help="gateway, worker, sender and/or actions.")],
) -> None:
    """Run some services only (for scale-out: one kind per process, as many processes as needed)."""
    from bot.services import ALL_SERVICES, run_services

    unknown = [name for name in services if name not in ALL_SERVICES]
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {unknown}; choose from {list(ALL_SERVICES)}")
    logs.configure()
    chosen: Any = tuple(services)  # checked against ALL_SERVICES above
    config = settings()
    run_until_stopped(lambda stop: run_services(config, chosen, stop=stop))


@nlu_app.command("train")
@friendly
def nlu_train(
    force: Annotated[bool, typer.Option(help="Retrain even if nothing changed.")] = False,
) -> None:
    """Train the NLU model from nlu_data/train with config.yml (skipped when unchanged)."""
    from bot.nlu.training import train

    path, trained = train(settings(), force=force)
    typer.echo(f"{'trained' if trained else 'up to date'}: {path}")


@db_app.command("migrate")
@friendly
def db_migrate() -> None:
    """Create the app's database roles and migrate the schema to the newest revision."""
    from bot.runtime import migrate

    revision = asyncio.run(migrate(settings()))
    typer.echo(f"database at revision {revision}")


@tenant_app.command("add")
@friendly
def tenant_add(
    code: Annotated[
        str, typer.Option(help="Short shop code, e.g. SHOP-1234 (for links and posters).")
    ],
    name: Annotated[str, typer.Option(help="The shop's name as shoppers see it.")],
    phone_number_id: Annotated[
        str, typer.Option(help="WhatsApp phone_number_id from Meta's API Setup page.")
    ],
    access_token: Annotated[
        str, typer.Option(envvar="WAKALA_TENANT_TOKEN", help="Graph API token for that number.")
    ],
    staff: Annotated[
        list[str] | None, typer.Option(help="A staff WhatsApp number; repeat for several.")
    ] = None,
    language: Annotated[str, typer.Option(help="Default language: en, zu or st.")] = "en",
    display_phone_number: Annotated[
        str, typer.Option(help="The number as shown to shoppers.")
    ] = "",
) -> None:
    """Add a shop with its WhatsApp number, access token and staff numbers."""
    from bot.tenant_admin import add_shop
    from commerce.tenants import NewTenant

    new = NewTenant(
        code=code,
        name=name,
        phone_number_id=phone_number_id,
        access_token=access_token,
        display_phone_number=display_phone_number,
        staff_phones=tuple(staff or ()),
        default_language=language,
    )
    tenant = asyncio.run(add_shop(settings(), new))
    typer.echo(f"added shop {tenant.code} ({tenant.name}), tenant id {tenant.id}")


@tenant_app.command("token")
@friendly
def tenant_token(
    phone_number_id: Annotated[str, typer.Option(help="The shop's WhatsApp phone_number_id.")],
    access_token: Annotated[
        str, typer.Option(envvar="WAKALA_TENANT_TOKEN", help="The new Graph API token.")
    ],
) -> None:
    """Rotate a shop number's access token. Running senders pick it up within a minute, or at
    once when Meta refuses the old one (error 190)."""
    from bot.tenant_admin import rotate_token

    asyncio.run(rotate_token(settings(), phone_number_id, access_token))
    typer.echo(f"token rotated for {phone_number_id}")


@dead_app.command("list")
@friendly
def dead_list(
    limit: Annotated[int, typer.Option(help="How many to show, oldest first.")] = 20,
) -> None:
    """Show parked messages: their topic and why they could not be handled."""
    from bot.cli.dead import show

    asyncio.run(show(settings(), limit, replay=False))


@dead_app.command("replay")
@friendly
def dead_replay(
    limit: Annotated[int, typer.Option(help="How many to put back, oldest first.")] = 20,
) -> None:
    """Put parked messages back on their topic (after fixing what made them fail)."""
    from bot.cli.dead import show

    asyncio.run(show(settings(), limit, replay=True))


@app.command()
@friendly
def chat(
    sender: Annotated[
        str, typer.Option("--from", help="Your (simulated) WhatsApp number.")
    ] = "27820001111",
    shop: Annotated[
        str | None, typer.Option(help="The shop's phone_number_id (default: the demo shop).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Simulator URL (default from settings).")] = None,
) -> None:
    """Chat in the terminal as a shopper, through the running pipeline (`wakala run`)."""
    from bot.cli.chat import chat_loop

    config = settings()
    sys.exit(chat_loop(url or f"http://{config.host}:{config.simulator_port}", sender, shop))


if __name__ == "__main__":  # pragma: no cover
    app()
