"""`wakala flows draw` and `wakala data validate`, as typer sub-apps for bot/cli/main.py.

Imports here stay light (typer only): the work modules load when a command runs, so the
rest of the CLI starts as fast as before.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.designer.rasa_check import RasaRunner

flows_app = typer.Typer(help="Conversation flows (dialogue/flows/*.yml).", no_args_is_help=True)
data_app = typer.Typer(help="Training data, domain and flows.", no_args_is_help=True)


class Picture(StrEnum):
    svg = "svg"
    png = "png"


class Output(StrEnum):
    text = "text"
    json = "json"


ProjectOption = Annotated[
    Path | None,
    typer.Option(help="The project folder (default: this checkout). Other paths are inside it."),
]


def _project(project: Path | None) -> Path:
    if project is not None:
        return project.resolve()
    from bot.settings import load_settings

    return load_settings().project_dir


@flows_app.command("draw")
def draw(
    out: Annotated[Path, typer.Option(help="Folder for the drawings.")] = Path("docs/flows"),
    picture: Annotated[
        Picture,
        typer.Option(
            "--format",
            help="svg, or png (rendered with resvg-py, no system libraries). Mermaid text "
            "(.mmd) is always written.",
        ),
    ] = Picture.svg,
    flows: Annotated[Path, typer.Option(help="Folder of flow files.")] = Path("dialogue/flows"),
    project: ProjectOption = None,
) -> None:
    """Draw every flow as Mermaid text (<flow>.mmd) and a picture (<flow>.svg or .png).

    The output depends only on the flows, so regenerated files diff cleanly.
    """
    from bot.designer.draw import DrawError, draw_flows

    root = _project(project)
    try:
        written = draw_flows(root / flows, root / out, "png" if picture is Picture.png else "svg")
    except DrawError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(_shown(path, root))


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@data_app.command("validate")
def validate(
    rasa: Annotated[
        bool,
        typer.Option(help="Also run Rasa's own `rasa data validate` (about 15 s)."),
    ] = True,
    output: Annotated[Output, typer.Option("--format", help="text or json.")] = Output.text,
    data: Annotated[str, typer.Option(help="NLU training data.")] = "nlu_data/train",
    domain: Annotated[str, typer.Option(help="The Rasa domain.")] = "domain.yml",
    config: Annotated[str, typer.Option(help="The Rasa pipeline.")] = "config.yml",
    flows: Annotated[str, typer.Option(help="Folder of flow files.")] = "dialogue/flows",
    project: ProjectOption = None,
) -> None:
    """Check training data, domain and flows; every finding names its file, line and fix.

    Runs Rasa's own validation (skip it with --no-rasa) and Wakala's checks: every intent has
    en, zu and st examples; every response has en, zu and st variations; flows name only
    existing intents, responses, slots, actions and guards; no example sits under two
    intents; button and list texts fit WhatsApp's limits. Exit code 1 when there are errors.
    """
    from bot.designer.findings import summary, to_json
    from bot.designer.project import Paths
    from bot.designer.validate import validate as run_checks

    root = _project(project)
    paths = Paths.of(root, data=data, domain=domain, config=config, flows=flows)
    report = run_checks(paths, _rasa_runner() if rasa else None)
    if output is Output.json:
        typer.echo(to_json(report.findings, files=report.files, rasa=report.rasa))
    else:
        for finding in report.findings:
            colour = typer.colors.RED if finding.severity == "error" else typer.colors.YELLOW
            typer.secho(finding.text(), fg=colour)
        typer.echo(summary(report.findings, files=report.files, rasa=report.rasa))
    raise typer.Exit(0 if report.ok else 1)


def _rasa_runner() -> RasaRunner:
    from bot.designer.rasa_check import runner_for
    from bot.settings import load_settings

    return runner_for(load_settings())
