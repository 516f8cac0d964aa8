"""Rasa's own environment: find Python 3.10, build the virtualenv from the lock, cached.

Rasa 3.6 needs Python 3.10 and TensorFlow 2.12 (about 2.7 GB, minutes to install), so the
environment lives in the user's cache keyed by the lock file's hash: every checkout on the
machine shares it, and a changed lock builds a fresh one beside the old.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from bot.errors import SetupError
from bot.settings import Settings

RASA_LOCK = "requirements/rasa.lock"
_COMPLETE = ".wakala-complete"


def _is_python310(candidate: Path) -> bool:
    try:
        out = subprocess.run(
            [str(candidate), "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.stdout.strip() == "True"


def _pyenv_candidates() -> list[Path]:
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    found: list[Path] = []
    for root in filter(None, roots):
        found.extend(sorted(Path(root).glob("versions/3.10*/bin/python"), reverse=True))
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            found.extend(
                sorted(Path(out.stdout.strip()).glob("versions/3.10*/bin/python"), reverse=True)
            )
    return found


def find_python310(settings: Settings) -> Path:
    """Python 3.10 from WAKALA_RASA_PYTHON, PATH or pyenv; a clear error when there is none."""
    if settings.rasa_python is not None:
        if _is_python310(settings.rasa_python):
            return settings.rasa_python
        raise SetupError(
            f"WAKALA_RASA_PYTHON={settings.rasa_python} is not a working Python 3.10; "
            "point it at one (Rasa 3.6 supports only Python 3.8-3.10)"
        )
    candidates = [Path(p) for p in filter(None, [shutil.which("python3.10")])]
    candidates += _pyenv_candidates()
    for candidate in candidates:
        if _is_python310(candidate):
            return candidate
    raise SetupError(
        "Python 3.10 is needed for the NLU service (Rasa 3.6) and none was found on PATH or "
        "under pyenv. Install it, e.g. `pyenv install 3.10.13`, or set WAKALA_RASA_PYTHON to "
        "a python3.10 executable."
    )


def lock_hash(settings: Settings) -> str:
    return hashlib.sha256((settings.project_dir / RASA_LOCK).read_bytes()).hexdigest()[:16]


def venv_dir(settings: Settings) -> Path:
    return settings.cache_dir / "venvs" / f"rasa-{lock_hash(settings)}"


def rasa_python(settings: Settings) -> Path:
    """The Rasa environment's python; raises SetupError if `wakala setup` has not built it."""
    python = venv_dir(settings) / "bin" / "python"
    if not (venv_dir(settings) / _COMPLETE).exists():
        raise SetupError(
            f"the Rasa environment is not built yet ({venv_dir(settings)}); run `make setup` "
            "or `wakala setup`"
        )
    return python


def ensure_rasa_env(settings: Settings, *, echo: bool = True) -> Path:
    """Build the Rasa environment from the lock if it is missing or incomplete."""
    target = venv_dir(settings)
    if (target / _COMPLETE).exists():
        return target / "bin" / "python"
    base = find_python310(settings)
    if echo:
        print(f"==> building the Rasa environment in {target} (a few minutes, once)", flush=True)
    shutil.rmtree(target, ignore_errors=True)  # a half-built one from an interrupted run
    target.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [str(base), "-m", "venv", str(target)],
        [str(target / "bin/python"), "-m", "pip", "install", "-qq", "--upgrade", "pip<25"],
        [
            str(target / "bin/python"),
            "-m",
            "pip",
            "install",
            "-qq",  # quiet, and without the warnings this machine's pip config prints per package
            "--disable-pip-version-check",
            "-r",
            str(settings.project_dir / RASA_LOCK),
        ],
    ]
    for step in steps:
        done = subprocess.run(step, check=False)
        if done.returncode != 0:
            raise SetupError(
                f"building the Rasa environment failed at `{' '.join(step)}` "
                f"(exit {done.returncode}); see the output above, fix, and run `make setup` again"
            )
    (target / _COMPLETE).write_text(lock_hash(settings))
    return target / "bin" / "python"


def rasa_env(settings: Settings) -> dict[str, str]:
    """Environment for Rasa processes: our components importable, TensorFlow quiet."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(settings.project_dir)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env
