"""`wakala marketplace …` against the real database, as an operator runs it."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.marketplace_cli import marketplace_app
from commerce import marketplace
from commerce.tenants import NewTenant, add_tenant

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def shop_code(admin_engine: AsyncEngine) -> str:
    code = f"CLI-{random.randrange(10**5, 10**6)}"
    await add_tenant(
        admin_engine,
        NewTenant(
            code=code,
            name="Cli Spaza",
            phone_number_id=str(random.randrange(10**13, 10**14)),
            access_token="own",
        ),
    )
    return code


def _run(database_url: str, *args: str) -> tuple[int, str]:
    env = {"WAKALA_DATABASE_URL": database_url, "WAKALA_ENV": "test"}
    result = CliRunner().invoke(marketplace_app, list(args), env=env)
    return result.exit_code, result.output


async def test_an_operator_adds_a_number_and_lists_a_shop_with_its_poster_link(
    database_url: str, app_engine: AsyncEngine, shop_code: str
) -> None:
    number = str(random.randrange(10**13, 10**14))
    display = f"2787{random.randrange(10**6, 10**7)}"
    # The command runs its own event loop, so it gets a thread of its own.
    code, output = await asyncio.to_thread(
        _run,
        database_url,
        "add-number",
        "--phone-number-id",
        number,
        "--access-token",
        "operator",
        "--display-phone-number",
        display,
    )
    assert (code, output) == (0, f"marketplace number {number} ready\n")
    code, output = await asyncio.to_thread(
        _run,
        database_url,
        "list-shop",
        "--code",
        shop_code.lower(),
        "--lat",
        "-26.2485",
        "--lon",
        "27.854",
        "--area",
        "Orlando East",
    )
    assert code == 0, output
    assert f"listed: {shop_code} (Cli Spaza)" in output
    assert f"https://wa.me/{display}?text={shop_code}" in output
    found = await marketplace.find_code(app_engine, [shop_code])
    assert found is not None
    assert (found.area, found.latitude, found.longitude) == ("Orlando East", -26.2485, 27.854)


def test_operator_mistakes_are_one_clear_line_and_a_failing_exit(database_url: str) -> None:
    code, output = _run(database_url, "list-shop", "--code", "NOPE-404040", "--lat", "-26")
    assert code == 1
    assert "give both latitude and longitude" in output
    code, output = _run(database_url, "list-shop", "--code", "NOPE-404040")
    assert code == 1
    assert "no shop has the code 'NOPE-404040'" in output
