"""`wakala test conversations`: a broken file stops the run before any service starts."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from bot.convtest import cli
from tests.unit.convtest.conftest import SHOPS, Write


def wakala() -> typer.Typer:
    """The command line as bot/cli/main.py registers the group."""
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """Wakala."""

    root.add_typer(cli.app, name="test")
    return root


def test_the_group_offers_conversations() -> None:
    result = CliRunner().invoke(wakala(), ["test", "--help"])
    assert result.exit_code == 0
    assert "conversations" in result.output


def test_a_broken_file_fails_with_every_problem_and_exit_code_1(write: Write) -> None:
    shops = write("shops.yml", SHOPS)
    broken = write(
        "broken.yml",
        """\
        conversations:
          - name: Typo
            tenant: SHOP-A
            sender: "27831000001"
            language: en
            turns:
              - user: hi
                bot:
                  - buttonz: [Products]
          - name: Wrong shop
            tenant: SHOP-Z
            sender: "27831000002"
            language: en
            turns:
              - usr: hi
                bot: {type: text}
        """,
    )
    result = CliRunner().invoke(
        wakala(), ["test", "conversations", str(broken), "--shops", str(shops)]
    )
    assert result.exit_code == 1
    output = result.output
    assert (
        "broken.yml:9: conversation 1 'Typo', turn 1 (user: hi), reply 1: unknown key 'buttonz'"
        in output
    )
    assert "broken.yml:15: conversation 2 'Wrong shop', turn 1: unknown key 'usr'" in output
    assert "starting the pipeline" not in output


def test_no_conversations_is_a_failure(write: Write) -> None:
    shops = write("shops.yml", SHOPS)
    result = CliRunner().invoke(
        wakala(), ["test", "conversations", str(shops.parent), "--shops", str(shops)]
    )
    assert result.exit_code == 1
    assert "no conversations in" in result.output
