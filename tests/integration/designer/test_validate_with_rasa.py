"""`wakala data validate` with Rasa's own validation, run in the real Rasa environment
(`wakala setup` builds it): the shipped project passes, and Rasa's findings land in files."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.designer.project import Paths
from bot.designer.rasa_check import runner_for
from bot.designer.validate import validate
from bot.settings import load_settings
from tests.conftest import ROOT
from tests.unit.designer.sample import CODE, line_of, make_project, replace

pytestmark = pytest.mark.integration


def test_the_shipped_project_validates() -> None:
    from bot.designer.cli import data_app

    app = typer.Typer()
    app.add_typer(data_app, name="data")
    result = CliRunner().invoke(app, ["data", "validate", "--project", str(ROOT)])
    assert "Rasa's validation: ran in" in result.output, result.output
    assert result.exit_code == 0, result.output


def test_rasa_findings_name_the_file_and_line(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    domain = root / "domain.yml"
    # Rasa (not Wakala) checks slot mappings against forms, and fails the run on this.
    replace(
        domain,
        "  product_id:\n    type: text\n    mappings:\n      - type: custom\n",
        "  product_id:\n    type: text\n    mappings:\n      - type: custom\n"
        "        conditions:\n          - active_loop: checkout_form\n",
    )
    replace(root / "config.yml", "assistant_id: designer_tests\n", "")
    report = validate(Paths.of(root), rasa=runner_for(load_settings()), code=CODE)
    rasa = [(f.path, f.line, f.severity) for f in report.findings if f.source == "rasa"]
    assert rasa == [
        ("config.yml", 0, "warning"),
        ("domain.yml", line_of(domain, "product_id:"), "warning"),
        ("rasa", 0, "error"),
    ], report.findings
    assert not report.ok
