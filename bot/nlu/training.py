"""Train the NLU model with Rasa's own training, skipping the work when nothing changed.

The fingerprint covers what changes the model: the training data, config.yml, the source of
our Rasa components (and the core code they share with the fast engine), and the Rasa lock.
The model file is named after it, so a finished model for the current inputs is simply a
file that exists.

After every `train` the models directory's `latest.json` names the current model; running
NLU services watch it and swap to a new model without downtime (bot/nlu/rasa/watch.py).
Services that do not share the directory can be told with `notify_services`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bot.errors import SetupError
from bot.nlu.environment import RASA_LOCK, rasa_env, rasa_python
from bot.settings import Settings

# Code that shapes a trained model; the service's own modules (HTTP, reload) do not.
MODEL_CODE_DIRS = ("bot/nlu/rasa/components", "bot/nlu/rasa/core")
POINTER = "latest.json"  # read by bot/nlu/rasa/watch.py


def training_files(settings: Settings) -> list[Path]:
    root = settings.project_dir
    files = sorted((settings.nlu_data_dir / "train").rglob("*.yml"))
    for directory in MODEL_CODE_DIRS:
        files += sorted((root / directory).rglob("*.py"))
    return [settings.rasa_config, root / RASA_LOCK, *files]


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    for path in training_files(settings):
        digest.update(str(path.relative_to(settings.project_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(settings: Settings) -> Path:
    return settings.model_dir / f"nlu-{fingerprint(settings)}.tar.gz"


def latest_model(settings: Settings) -> Path:
    """The model for the current inputs; a clear error if it was not trained."""
    path = model_path(settings)
    if not path.exists():
        raise SetupError(
            f"no NLU model for the current data and config ({path.name}); run `wakala nlu train`"
        )
    return path


def train(settings: Settings, *, force: bool = False, echo: bool = True) -> tuple[Path, bool]:
    """Train if needed; return the model path and whether training ran."""
    target = model_path(settings)
    if target.exists() and not force:
        point_to(target)
        return target, False
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    command = rasa_train_command(
        rasa_python(settings),
        config=settings.rasa_config,
        data=settings.nlu_data_dir / "train",
        out=settings.model_dir,
        name=target.name.removesuffix(".tar.gz"),
    )
    if echo:
        print(f"==> training the NLU model {target.name}", flush=True)
    started = time.monotonic()
    done = run_with_ticker(command, settings, echo=echo)
    if done.returncode != 0 or not target.exists():
        raise SetupError(
            f"NLU training failed (exit {done.returncode}). {done.stderr[-2000:]}".strip()
        )
    if echo:
        print(f"==> trained in {time.monotonic() - started:.1f}s", flush=True)
    point_to(target)
    return target, True


def rasa_train_command(
    python: Path, *, config: Path, data: Path, out: Path, name: str
) -> list[str]:
    return [
        str(python), "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", str(data),
        "--out", str(out), "--fixed-model-name", name, "--quiet",
    ]  # fmt: skip


def run_with_ticker(
    command: list[str], settings: Settings, *, echo: bool
) -> subprocess.CompletedProcess[str]:
    """Run Rasa's training; its (noisy) output is kept for errors, a ticker shows progress."""
    stop = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not stop.wait(1.0):
            sys.stdout.write(f"\r    rasa train nlu ... {time.monotonic() - started:4.0f} s")
            sys.stdout.flush()

    ticker = threading.Thread(target=tick, daemon=True)
    if echo and sys.stdout.isatty():
        ticker.start()
    try:
        return subprocess.run(
            command,
            cwd=settings.project_dir,
            env=rasa_env(settings),
            check=False,
            capture_output=True,
            text=True,
        )
    finally:
        stop.set()
        if ticker.is_alive():
            ticker.join()
            sys.stdout.write("\r" + " " * 40 + "\r")


def point_to(model: Path) -> None:
    """Write `latest.json` beside the model, atomically, if it names another model."""
    pointer = model.parent / POINTER
    try:
        if json.loads(pointer.read_text("utf-8")).get("model") == model.name:
            return  # unchanged: watching services must not see a new stamp
    except (OSError, ValueError, AttributeError):
        pass
    body = {"model": model.name, "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    partial = pointer.with_name(f".{POINTER}.{os.getpid()}")
    partial.write_text(json.dumps(body) + "\n", "utf-8")
    os.replace(partial, pointer)


def notify_services(urls: list[str], model: Path, *, timeout: float = 10.0) -> dict[str, str]:
    """POST /model/reload to NLU services that do not watch this models directory.

    Returns each URL's outcome ("loading", or the error); the services load in the
    background and keep serving the old model until the new one is ready.
    """
    outcomes: dict[str, str] = {}
    with httpx.Client(timeout=timeout) as http:
        for url in urls:
            try:
                response = http.post(f"{url.rstrip('/')}/model/reload", json={"model": str(model)})
                body = response.json()
                outcomes[url] = body.get("status") or body.get("error", {}).get("message", "?")
            except (httpx.HTTPError, ValueError) as exc:
                outcomes[url] = f"failed: {exc}"
    return outcomes
