"""`wakala test conversations`: run conversation tests through the whole pipeline.

Registered in bot/cli/main.py with:

    from bot.convtest.cli import app as test_app
    app.add_typer(test_app, name="test")
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import typer

from bot.convtest.format import Case, conversation_files, load_files
from bot.convtest.loading import FormatError
from bot.convtest.report import outcome_lines, shown_path, summary_lines, write_report
from bot.convtest.responses import ResponseTexts
from bot.convtest.runner import CONCURRENCY, TURN_TIMEOUT, Outcome, open_session
from bot.convtest.scratch import scratch
from bot.convtest.shops import ShopsFixture, load_shops
from bot.convtest.suite import check_suite
from bot.errors import WakalaError
from bot.logs import JsonFormatter
from bot.settings import Settings, SettingsError, load_settings
from commerce.errors import CommerceError

app = typer.Typer(help="Test the bot.", no_args_is_help=True)


@app.callback()
def group() -> None:
    """Test the bot."""  # a group even with one command: `wakala test conversations`


@dataclass(frozen=True, slots=True)
class Options:
    report: Path
    log_file: Path
    concurrency: int
    turn_timeout: float


@app.command("conversations")
def conversations(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Conversation files or directories (default: tests/conversations)."),
    ] = None,
    report: Annotated[
        Path, typer.Option(help="The JSON report: pass/fail and bytes sent per turn.")
    ] = Path("reports/conversations.json"),
    shops: Annotated[
        Path | None,
        typer.Option(help="The shops fixture (default: tests/conversations/shops.yml)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Conversations run at the same time.")
    ] = CONCURRENCY,
    turn_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds one turn may take before it fails.")
    ] = TURN_TIMEOUT,
    log_file: Annotated[
        Path, typer.Option(help="Where the services log while the tests run.")
    ] = Path("reports/conversations.log"),
) -> None:
    """Run YAML conversations through the real pipeline; exit 1 if any fails.

    Uses the configured services (DATABASE_URL, REDIS_URL, AMQP_URL) or the embedded
    defaults, each time in a scratch database and namespace, with a Graph API fake.
    """
    try:
        settings = load_settings()
        default_dir = settings.project_dir / "tests" / "conversations"
        fixture_path = shops or default_dir / "shops.yml"
        fixture, cases = load(settings, paths or [default_dir], fixture_path)
        options = Options(report, log_file, concurrency, turn_timeout)
        code = asyncio.run(run(settings, fixture, cases, options, sys.stdout))
    except FormatError as exc:
        for problem in exc.problems:
            typer.secho(problem, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except (WakalaError, SettingsError, CommerceError) as exc:
        text = str(exc) if isinstance(exc, WakalaError) else f"error: {exc}"
        typer.secho(text, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


def load(
    settings: Settings, paths: Sequence[Path], fixture_path: Path
) -> tuple[ShopsFixture, list[Case]]:
    """The fixture and every conversation, checked together; a `FormatError` lists all."""
    fixture = load_shops(fixture_path)
    cases = load_files(conversation_files(paths, exclude=[fixture_path]))
    if not cases:
        raise FormatError([f"no conversations in {', '.join(map(str, paths))}"])
    check_suite(cases, fixture, ResponseTexts.from_domain(settings.domain_file))
    return fixture, cases


async def run(
    settings: Settings, fixture: ShopsFixture, cases: list[Case], options: Options, out: TextIO
) -> int:
    """Run and report; 0 when every conversation passed, 1 otherwise."""
    started = time.monotonic()
    kind = "embedded services" if settings.embedded else "the configured services"
    out.write(f"==> starting the pipeline on {kind}; logs in {shown_path(options.log_file)}\n")
    out.flush()

    def show(outcome: Outcome) -> None:
        out.write("\n".join(outcome_lines(outcome)) + "\n")
        out.flush()

    options.log_file.parent.mkdir(parents=True, exist_ok=True)
    with options.log_file.open("w", encoding="utf-8") as log, _quiet(log):
        async with (
            scratch(settings) as fresh,
            open_session(fresh, fixture, turn_timeout=options.turn_timeout) as session,
        ):
            out.write(f"==> running {len(cases)} conversations\n")
            out.flush()
            outcomes = await session.run(cases, concurrency=options.concurrency, on_outcome=show)
    seconds = time.monotonic() - started
    write_report(options.report, outcomes, seconds)
    out.write("\n".join(summary_lines(outcomes, seconds)) + "\n")
    out.write(f"report: {shown_path(options.report)}\n")
    return 0 if all(o.passed for o in outcomes) else 1


@contextlib.contextmanager
def _quiet(log: TextIO) -> Iterator[None]:
    """Service logs (ours, and the NLU child's output, which inherits stdout and stderr) go
    to the log file, so the terminal shows the results only."""
    handler = logging.StreamHandler(log)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
