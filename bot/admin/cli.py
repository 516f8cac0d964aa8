"""`wakala admin …`: commands for operators (mounted by `bot.cli.main`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.admin.errors import AdminError
from bot.admin.tokens import MAX_TTL_SECONDS, issue_token
from bot.settings import SettingsError, load_settings

admin_app = typer.Typer(help="Operator admin API.", no_args_is_help=True)


@admin_app.callback()
def admin() -> None:
    """Operator admin API."""  # a callback keeps `token` a subcommand while it is the only one


@admin_app.command("token")
def token(
    subject: Annotated[
        str, typer.Option(help="Who the token is for; the audit log names them operator:<it>.")
    ],
    minutes: Annotated[
        int, typer.Option(help=f"Lifetime in minutes, at most {MAX_TTL_SECONDS // 60}.")
    ] = MAX_TTL_SECONDS // 60,
) -> None:
    """Print a bearer token for the admin API, signed with WAKALA_ADMIN_SECRET."""
    try:
        settings = load_settings()
        secret = settings.admin_secret.get_secret_value()
        typer.echo(issue_token(secret, subject, ttl_seconds=minutes * 60))
    except (AdminError, SettingsError) as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
