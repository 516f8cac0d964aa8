"""`wakala nlu train` and `wakala nlu test`. Registered on the `nlu` group by `register`:

from bot.cli.nlu_commands import register as register_nlu_commands
register_nlu_commands(nlu_app, friendly)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.settings import load_settings

DEFAULT_REPORTS = Path("reports") / "nlu"


def register(group: typer.Typer, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    group.command("train")(wrap(nlu_train))
    group.command("test")(wrap(nlu_test))


def nlu_train(
    force: Annotated[bool, typer.Option(help="Retrain even if nothing changed.")] = False,
    reload_url: Annotated[
        list[str] | None,
        typer.Option(
            help="Also tell this NLU service to load the model (repeatable). Services on "
            "this machine's models directory pick it up by themselves."
        ),
    ] = None,
) -> None:
    """Train the NLU model from nlu_data/train with config.yml (skipped when unchanged).

    Running NLU services that watch the models directory swap to the new model without
    downtime; --reload-url tells others.
    """
    from bot.nlu.training import notify_services, train

    path, trained = train(load_settings(), force=force)
    typer.echo(f"{'trained' if trained else 'up to date'}: {path}")
    for url, outcome in notify_services(reload_url or [], path).items():
        typer.echo(f"reload {url}: {outcome}")


def nlu_test(
    out: Annotated[
        Path | None, typer.Option(help="Directory for the report (default: reports/nlu).")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="Labelled test data (default: nlu_data/test).")
    ] = None,
) -> None:
    """Train on nlu_data/train (if needed), then report on the held-back nlu_data/test per
    language: intent accuracy and macro-F1, entity precision/recall/F1, language
    identification, confusion matrices and the worst confusions (JSON + HTML)."""
    from bot.nlu.evaluation.run import evaluate

    settings = load_settings()
    target = out or settings.project_dir / DEFAULT_REPORTS
    with ExitStack() as stack:

        def progress(total: int) -> Callable[[int], None]:
            bar = stack.enter_context(
                typer.progressbar(length=total, label="==> parsing the test split")
            )
            return bar.update

        report, files = evaluate(settings, target, data=data, progress=progress)
    for line in summary_lines(report):
        typer.echo(line)
    typer.echo(f"report: {files['html']}  (also {files['json'].name}, confusion-*.svg)")


def summary_lines(report: dict[str, Any]) -> Iterator[str]:
    yield f"NLU test: {report['model']} on {report['data']} ({report['examples']} examples)"
    yield (
        f"{'language':<9}{'n':>5}  {'intent acc':>10}  {'macro-F1':>8}  "
        f"{'entity P':>8}  {'R':>5}  {'F1':>5}  {'lang id':>7}"
    )
    for name, section in report["by_language"].items():
        intent, entities = section["intent"], section["entities"]["micro"]
        yield (
            f"{name:<9}{intent['n']:>5}  {intent['accuracy']:>10.3f}  {intent['macro_f1']:>8.3f}  "
            f"{entities['precision']:>8.3f}  {entities['recall']:>5.3f}  {entities['f1']:>5.3f}  "
            f"{section['language_id_accuracy']:>7.3f}"
        )
    worst = report["worst_confusions"][:5]
    if worst:
        yield "worst confusions: " + ", ".join(
            f"{c['gold']} -> {c['predicted']} ({c['count']})" for c in worst
        )
