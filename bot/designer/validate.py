"""`wakala data validate`: Rasa's validation plus Wakala's checks, as one list of findings."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.designer.checks_data import check_data
from bot.designer.checks_domain import check_responses
from bot.designer.checks_flows import check_flows, flow_triggers, without_nlu
from bot.designer.codenames import CodeNames
from bot.designer.findings import Finding, ordered
from bot.designer.project import Paths, load_project
from bot.designer.rasa_check import RasaRunner, rasa_findings


@dataclass(frozen=True, slots=True)
class Report:
    findings: list[Finding]
    files: int
    rasa: str  # how Rasa's part went, for the summary: "skipped", "ran in 14 s"

    @property
    def ok(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)


def validate(paths: Paths, rasa: RasaRunner | None = None, code: CodeNames | None = None) -> Report:
    """Our checks always; Rasa's when a runner is given (it takes ~15 s: TensorFlow loads).

    `code`: names defined in code beside the domain (default: read from this checkout).
    """
    project = load_project(paths)
    code = CodeNames.from_code() if code is None else code
    own = [
        *check_data(project, without_nlu(project, code)),
        *check_responses(project, flow_triggers(project)),
        *check_flows(project, code),
    ]
    found = own + project.sources.findings
    status = "skipped (--no-rasa)"
    if rasa is not None:
        started = time.monotonic()
        output = rasa(project)
        status = f"ran in {time.monotonic() - started:.0f} s"
        # Rasa also stops at broken YAML; ours already names the same place with a fix.
        taken = {(f.path, f.line) for f in found if f.severity == "error"}
        found += [f for f in rasa_findings(project, output) if (f.path, f.line) not in taken]
    return Report(ordered(found), project.sources.files, status)
