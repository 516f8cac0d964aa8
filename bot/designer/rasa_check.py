"""Rasa's own `rasa data validate`, run in the Rasa environment, its output read as findings.

Rasa prints warnings as `…: UserWarning: message` and fatal problems in red on stdout (YAML
errors with `in "file", line N`). Its messages name no line, so each is placed where the
name it quotes is defined. Some are dropped: Wakala has no stories or rules (flows replace
them), and our own checks report the rest of them with a line and a fix.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.designer.findings import Finding, Severity
from bot.designer.project import Project
from bot.designer.yamltree import line
from bot.errors import SetupError
from bot.nlu.environment import rasa_env, rasa_python
from bot.settings import Settings

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RED = re.compile(r"\x1b\[91m(.*?)(?:\x1b\[0m|\Z)", re.DOTALL)
_WARNING = re.compile(r"UserWarning: (.*)")
_ERROR_LOG = re.compile(r"^\S+ \S+ ERROR\s+\S+\s+-\s+(.*)$")
_YAML_MARK = re.compile(r'in "([^"]+)", line (\d+)')
_QUOTED = re.compile(r"'([^']+)'")
_FIX = "see Rasa's message; `rasa data validate --help` explains its checks"

# Rasa messages that do not apply to Wakala or that our own checks report more precisely.
_COVERED = (
    "is not used in any story or rule",  # flows, not stories: checks_flows reports unused intents
    "is listed in the domain file, but is not found in the NLU training data",  # intent-language
    "This intent is not listed in your domain",  # unknown-intent
    "was found labeled with multiple different intents",  # duplicate-example
    "Project validation completed with errors",  # the summary of what is reported anyway
)


@dataclass(frozen=True, slots=True)
class RasaOutput:
    returncode: int
    stdout: str
    stderr: str
    unavailable: str | None = None  # why Rasa could not run at all


RasaRunner = Callable[[Project], RasaOutput]


def runner_for(settings: Settings) -> RasaRunner:
    """Rasa from the Rasa environment that `wakala setup` builds; or why there is none."""
    try:
        python = rasa_python(settings)
    except SetupError as exc:
        reason = str(exc)
        return lambda project: RasaOutput(-1, "", "", unavailable=reason)
    return subprocess_runner(python, rasa_env(settings))


def subprocess_runner(python: Path, env: dict[str, str], timeout: float = 600.0) -> RasaRunner:
    def run(project: Project) -> RasaOutput:
        paths = project.paths
        command = [
            str(python),
            "-m",
            "rasa",
            "data",
            "validate",
            "--data",
            str(paths.data),
            "--domain",
            str(paths.domain),
            "--config",
            str(paths.config),
        ]
        try:
            done = subprocess.run(
                command,
                cwd=paths.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return RasaOutput(-1, "", f"Rasa's validation did not finish in {timeout:.0f} s")
        return RasaOutput(done.returncode, done.stdout, done.stderr)

    return run


def rasa_findings(project: Project, output: RasaOutput) -> list[Finding]:
    if output.unavailable is not None:
        fix = "run `wakala setup` to build the Rasa environment, or pass --no-rasa"
        return [Finding("rasa", 0, "error", "rasa", output.unavailable, fix, "rasa")]
    found: list[Finding] = []
    for message in _warnings(output.stderr + output.stdout):
        if not any(covered in message for covered in _COVERED):
            found.append(_placed(project, message, "warning"))
    errors = [*_red(output.stdout + output.stderr), *_error_logs(output.stderr + output.stdout)]
    for message in errors:
        if not any(covered in message for covered in _COVERED):
            found.append(_placed(project, message, "error"))
    if output.returncode != 0 and not any(f.severity == "error" for f in found):
        # Rasa fails a run on some of its warnings and says only "completed with errors".
        said = "see Rasa's warnings" if found else _tail(output)
        found.append(
            Finding(
                "rasa",
                0,
                "error",
                "rasa",
                f"Rasa's validation failed (exit {output.returncode}): {said}",
                "fix what Rasa reports; run `rasa data validate` in the Rasa environment to "
                "see everything it printed",
                "rasa",
            )
        )
    return found


def _tail(output: RasaOutput) -> str:
    lines = _ANSI.sub("", output.stderr + output.stdout).strip().splitlines()
    return " | ".join(lines[-3:]) or "no output"


def _warnings(text: str) -> list[str]:
    return [match.group(1).strip() for match in _WARNING.finditer(_ANSI.sub("", text))]


def _red(text: str) -> list[str]:
    return [" ".join(block.split()) for block in _RED.findall(text) if block.strip()]


def _error_logs(text: str) -> list[str]:
    lines = _ANSI.sub("", text).splitlines()
    return [m.group(1) for text in lines if (m := _ERROR_LOG.match(text))]


def _placed(project: Project, message: str, severity: Severity) -> Finding:
    path, at = _where(project, message)
    return Finding(path, at, severity, "rasa", f"Rasa: {message}", _FIX, "rasa")


def _where(project: Project, message: str) -> tuple[str, int]:
    """A YAML error's own mark, else where the first name Rasa quotes is defined."""
    marks = _YAML_MARK.findall(message)
    if marks:
        file, number = marks[-1]
        path = Path(file) if Path(file).is_absolute() else project.paths.root / file
        return project.sources.where(path), int(number)
    if "config file" in message:
        return project.sources.where(project.paths.config), 0
    domain = project.domain
    for name in _QUOTED.findall(message):
        for table in (domain.intents, domain.slots, domain.actions):
            if name in table:
                return project.sources.where(domain.path), table[name]
        if name in domain.responses:
            return project.sources.where(domain.path), line(domain.responses[name])
        block = next((b for b in project.blocks if b.intent == name), None)
        if block is not None:
            return project.sources.where(block.path), block.line
    return project.sources.where(domain.path), 0
