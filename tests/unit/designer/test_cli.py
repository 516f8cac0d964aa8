"""The two commands as the CLI runs them: output, exit codes, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.designer import codenames
from bot.designer.cli import data_app, flows_app
from tests.unit.designer.sample import CODE, line_of, make_project, replace

app = typer.Typer()
app.add_typer(flows_app, name="flows")
app.add_typer(data_app, name="data")
runner = CliRunner()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(codenames.CodeNames, "from_code", classmethod(lambda cls: CODE))
    return make_project(tmp_path)


def test_validate_passes_a_clean_project(root: Path) -> None:
    result = runner.invoke(app, ["data", "validate", "--no-rasa", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "OK: 0 errors, 0 warnings in 5 files checked; Rasa's validation: skipped (--no-rasa)\n"
    )


def test_validate_fails_with_one_line_per_finding(root: Path) -> None:
    flow = root / "dialogue/flows/main.yml"
    replace(flow, "- trigger: greet", "- trigger: gret")
    result = runner.invoke(app, ["data", "validate", "--no-rasa", "--project", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"dialogue/flows/main.yml:{line_of(flow, 'gret')}: error: ")
    assert "(fix: " in lines[0]
    assert lines[-1].startswith("FAILED: 1 error, 1 warning")  # greet is now unused too


def test_validate_speaks_json(root: Path) -> None:
    replace(root / "domain.yml", 'title: "Products"', 'title: "All our products today"')
    args = ["data", "validate", "--no-rasa", "--format", "json", "--project", str(root)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [f["code"] for f in data["findings"]] == ["whatsapp-limit"]
    assert data["summary"]["errors"] == 1


def test_draw_writes_mermaid_and_svg(root: Path) -> None:
    result = runner.invoke(app, ["flows", "draw", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["docs/flows/main.mmd", "docs/flows/main.svg"]
    assert (root / "docs/flows/main.svg").read_text().startswith("<?xml")


def test_draw_explains_a_broken_flow(root: Path) -> None:
    replace(root / "dialogue/flows/main.yml", "    dest: browsing\n", "    dest: nowhere\n")
    result = runner.invoke(app, ["flows", "draw", "--project", str(root)])
    assert result.exit_code == 1
    assert "nowhere" in result.output
    assert "wakala data validate" in result.output
