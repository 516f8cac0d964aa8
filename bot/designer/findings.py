"""What `wakala data validate` reports: findings that name the file, the line and the fix.

Text output is one line per finding, `path:line: error|warning: message (fix: …)`, the format
editors and CI annotations already understand. Each finding also carries a stable `code`
(in the JSON output) so tools can filter on it without parsing messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]
_RANK = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
class Finding:
    path: str  # relative to the project when inside it; "rasa" for findings with no file
    line: int  # 1-based; 0 when the finding is about no particular line
    severity: Severity
    code: str  # e.g. "intent-language"; stable, for filtering
    message: str
    fix: str
    source: Literal["wakala", "rasa"] = "wakala"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, _RANK[self.severity], self.code, self.message)

    def text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line > 0 else self.path
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{where}: {self.severity}: {self.message}{fix}"


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted by place, without exact repeats: the output diffs cleanly from run to run."""
    return sorted(set(findings), key=Finding.sort_key)


def count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for finding in findings if finding.severity == severity)


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary(findings: Sequence[Finding], *, files: int, rasa: str) -> str:
    errors, warnings = count(findings, "error"), count(findings, "warning")
    verdict = "FAILED" if errors else "OK"
    return (
        f"{verdict}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} "
        f"in {_plural(files, 'file')} checked; Rasa's validation: {rasa}"
    )


def to_json(findings: Sequence[Finding], *, files: int, rasa: str) -> str:
    return json.dumps(
        {
            "findings": [asdict(finding) for finding in findings],
            "summary": {
                "errors": count(findings, "error"),
                "warnings": count(findings, "warning"),
                "files": files,
                "rasa": rasa,
            },
        },
        indent=2,
        ensure_ascii=False,
    )
