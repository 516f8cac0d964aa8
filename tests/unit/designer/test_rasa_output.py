"""Rasa's `data validate` output read as findings (canned output; the real run is an
integration test), and how findings print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.designer.findings import Finding, ordered, summary, to_json
from bot.designer.project import Paths, Project, load_project
from bot.designer.rasa_check import RasaOutput, rasa_findings
from bot.designer.validate import validate
from tests.unit.designer.sample import CODE, line_of, make_project

WARN = (
    "\x1b[93m/venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: "
    "UserWarning: {}\n\x1b[0m"
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return load_project(Paths.of(make_project(tmp_path)))


def test_warnings_land_where_the_quoted_name_is_defined(project: Project) -> None:
    stderr = WARN.format(
        "Slot 'product_id' has a mapping condition for form 'checkout_form' which is not "
        "listed in domain forms."
    ) + WARN.format("The config file is missing the 'assistant_id' mandatory key.")
    found = rasa_findings(project, RasaOutput(1, "", stderr))
    domain = project.paths.domain
    assert [(f.path, f.line, f.severity, f.source) for f in found] == [
        ("domain.yml", line_of(domain, "product_id:"), "warning", "rasa"),
        ("config.yml", 0, "warning", "rasa"),
        ("rasa", 0, "error", "rasa"),  # exit 1: Rasa failed the run on those warnings
    ]
    assert found[0].message.startswith("Rasa: Slot 'product_id' has a mapping condition")
    assert "see Rasa's warnings" in found[2].message


def test_what_does_not_apply_or_we_report_better_is_dropped(project: Project) -> None:
    stderr = "".join(
        WARN.format(text)
        for text in (
            "The intent 'greet' is not used in any story or rule.",
            "The utterance 'utter_greet' is not used in any story or rule.",
            "The intent 'opt_out' is listed in the domain file, but is not found in the NLU "
            "training data.",
            "The example 'hi' was found labeled with multiple different intents in the "
            "training data.",
        )
    )
    assert rasa_findings(project, RasaOutput(0, "", stderr)) == []


def test_a_yaml_error_keeps_rasa_s_own_line(project: Project) -> None:
    stdout = (
        "\x1b[91mYamlSyntaxException: Failed to read 'domain.yml'. while parsing\n"
        '  in "domain.yml", line 3, column 3:\n'
        "expected <block end>, but found '-'\n"
        '  in "domain.yml", line 7, column 3:\n\x1b[0m'
    )
    [found] = rasa_findings(project, RasaOutput(1, stdout, ""))
    assert (found.path, found.line, found.severity) == ("domain.yml", 7, "error")
    assert "expected <block end>" in found.message


def test_a_failure_without_a_message_shows_the_end_of_the_output(project: Project) -> None:
    [found] = rasa_findings(project, RasaOutput(2, "", "Traceback …\nImportError: no rasa\n"))
    assert found.severity == "error"
    assert "exit 2" in found.message
    assert "ImportError: no rasa" in found.message


def test_rasa_missing_is_an_error_that_says_how_to_get_it(project: Project) -> None:
    output = RasaOutput(-1, "", "", unavailable="the Rasa environment is not built yet")
    [found] = rasa_findings(project, output)
    assert found.text() == (
        "rasa: error: the Rasa environment is not built yet "
        "(fix: run `wakala setup` to build the Rasa environment, or pass --no-rasa)"
    )


def test_validate_runs_the_given_rasa_and_merges_its_findings(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    seen: list[Path] = []

    def fake_rasa(project: Project) -> RasaOutput:
        seen.append(project.paths.domain)
        return RasaOutput(0, "", WARN.format("The intent 'greet' smells odd."))

    report = validate(Paths.of(root), rasa=fake_rasa, code=CODE)
    assert seen == [root / "domain.yml"]
    assert [(f.line, f.source) for f in report.findings] == [
        (line_of(root / "domain.yml", "- greet"), "rasa")
    ]
    assert report.ok
    assert report.rasa.startswith("ran in")


def test_findings_print_as_path_line_severity_message_fix() -> None:
    error = Finding("domain.yml", 12, "error", "x", "response 'utter_a' has no zu", "add one")
    warning = Finding("a.yml", 3, "warning", "y", "thin", "")
    assert error.text() == "domain.yml:12: error: response 'utter_a' has no zu (fix: add one)"
    assert warning.text() == "a.yml:3: warning: thin"
    assert ordered([error, warning, error]) == [warning, error]
    assert summary([error, warning], files=3, rasa="skipped") == (
        "FAILED: 1 error, 1 warning in 3 files checked; Rasa's validation: skipped"
    )
    data = json.loads(to_json([error], files=1, rasa="ran in 14 s"))
    assert data["summary"] == {"errors": 1, "warnings": 0, "files": 1, "rasa": "ran in 14 s"}
    assert data["findings"][0] == {
        "path": "domain.yml",
        "line": 12,
        "severity": "error",
        "code": "x",
        "message": "response 'utter_a' has no zu",
        "fix": "add one",
        "source": "wakala",
    }
