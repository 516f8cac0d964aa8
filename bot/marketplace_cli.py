"""`wakala marketplace …`: one WhatsApp number shared by many shops (mounted by `bot.cli.main`).

Run with the admin database URL: the app role may only read the marketplace tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import WakalaError
from bot.settings import SettingsError, load_settings
from commerce import marketplace
from commerce.errors import CommerceError
from commerce.marketplace import ShopListing
from commerce.shop_codes import wa_me_link

T = TypeVar("T")

marketplace_app = typer.Typer(
    help="Marketplace numbers: one WhatsApp number shared by many shops.", no_args_is_help=True
)


def _as_owner(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Migrate, then run `work` on the owner's engine; operator errors become one red line."""

    async def main() -> T:
        from bot.database import admin_url
        from bot.runtime import migrate
        from commerce.db import create_engine

        settings = load_settings()
        await migrate(settings)
        engine = create_engine(admin_url(settings), pool_size=1)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (WakalaError, SettingsError, CommerceError) as exc:
        text = str(exc) if isinstance(exc, WakalaError) else f"error: {exc}"
        typer.secho(text, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@marketplace_app.command("add-number")
def add_number(
    phone_number_id: Annotated[
        str, typer.Option(help="WhatsApp phone_number_id from Meta's API Setup page.")
    ],
    access_token: Annotated[
        str,
        typer.Option(envvar="WAKALA_MARKETPLACE_TOKEN", help="The operator's Graph API token."),
    ],
    display_phone_number: Annotated[
        str, typer.Option(help="The number as shoppers see it (for wa.me links), e.g. 27821234567.")
    ] = "",
    language: Annotated[
        str, typer.Option(help="Language before a shopper's own is known: en, zu or st.")
    ] = "en",
) -> None:
    """Add a marketplace number, or rotate its token. Shoppers pick a shop there by code,
    name or location pin."""
    number = _as_owner(
        lambda engine: marketplace.add_number(
            engine,
            phone_number_id,
            access_token,
            display_phone_number=display_phone_number,
            default_language=language,
        )
    )
    typer.echo(f"marketplace number {number.phone_number_id} ready")


@marketplace_app.command("list-shop")
def list_shop(
    code: Annotated[str, typer.Option(help="The shop's code, e.g. SHOP-1234.")],
    name: Annotated[
        str | None, typer.Option(help="Name in the directory (default: the shop's name).")
    ] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="Latitude, e.g. -26.2485.")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="Longitude, e.g. 27.8540.")] = None,
    area: Annotated[str, typer.Option(help="Where it is, shown in lists, e.g. Orlando East.")] = "",
    unlisted: Annotated[
        bool, typer.Option(help="Reachable by its code only, not offered by name or nearness.")
    ] = False,
) -> None:
    """Put a shop in the marketplace directory (or change its entry); prints its wa.me links."""
    listing = ShopListing(code, name, lat, lon, area, listed=not unlisted)

    async def work(engine: AsyncEngine) -> tuple[marketplace.ListedShop, list[str]]:
        shop = await marketplace.list_shop(engine, listing)
        numbers = await marketplace.list_numbers(engine)
        links = [wa_me_link(n.display_phone_number, shop.code) for n in numbers]
        return shop, [
            link for n, link in zip(numbers, links, strict=True) if n.display_phone_number
        ]

    shop, links = _as_owner(work)
    typer.echo(f"{'listed' if shop.listed else 'added unlisted'}: {shop.code} ({shop.name})")
    for link in links:
        typer.echo(f"  poster link: {link}")


@marketplace_app.command("remove-shop")
def remove_shop(code: Annotated[str, typer.Option(help="The shop's code.")]) -> None:
    """Take a shop out of the directory: not even its code finds it on a marketplace number."""
    removed = _as_owner(lambda engine: marketplace.remove_shop(engine, code))
    typer.echo(f"removed {code}" if removed else f"{code} was not in the directory")
