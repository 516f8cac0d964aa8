"""Stock Rasa 3.6 holding the same conversation: `rasa run` with the REST channel, the project
in bench/e2e/stock_rasa (rules, a checkout form), and its rasa-sdk action server.

The model is trained with Rasa's default configuration on a copy of the project (Rasa writes
the defaults it chose into config.yml) and cached under ~/.cache/wakala/bench/e2e, keyed by
the hash of the project's files and the Rasa lock. A turn is one POST to the REST channel,
timed until its answer (which carries the bot's replies).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from bench.e2e.procs import ROOT, Proc, free_port
from bench.e2e.script import SHOPPING, Step
from bench.e2e.shoppers import TurnResult
from bot.nlu.environment import RASA_LOCK, rasa_env, rasa_python
from bot.settings import Settings

PROJECT = Path(__file__).resolve().parent / "stock_rasa"
READY_SECONDS = 300.0  # Rasa imports TensorFlow and loads three neural models


def inputs_hash(settings: Settings) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in PROJECT.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in [*files, ROOT / RASA_LOCK]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def trained_project(settings: Settings, log: Path) -> tuple[Path, Path, float | None]:
    """The project copy and its model, trained now if not cached; and the training seconds
    (None when cached)."""
    home = settings.cache_dir / "bench" / "e2e" / f"stock-{inputs_hash(settings)}"
    model = home / "models" / "stock.tar.gz"
    project = home / "project"
    if model.exists():
        return project, model, None
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    command = [str(rasa_python(settings)), "-m", "rasa", "train", "--out", str(home / "models")]
    command += ["--fixed-model-name", "stock"]
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            command,
            check=False,
            cwd=project,
            env=rasa_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"stock Rasa training failed; see {log}")
    return project, model, time.monotonic() - started


@dataclass
class StockRasa:
    settings: Settings
    database_url: str  # the bench's scratch database (owner), for the action server
    tenant_id: UUID  # the shop whose catalogue the action server reads
    log_dir: Path
    procs: dict[str, Proc] = field(default_factory=dict)
    url: str = ""
    training_seconds: float | None = None

    async def start(self) -> None:
        project, model, self.training_seconds = await asyncio.to_thread(
            trained_project, self.settings, self.log_dir / "rasa-train.log"
        )
        actions_port, rasa_port = free_port(), free_port()
        endpoints = self.log_dir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        )
        python = str(rasa_python(self.settings))
        env = rasa_env(self.settings) | {"PYTHONPATH": str(project)}
        actions = Proc(
            "rasa-actions",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
            self.log_dir / "rasa-actions.log",
            env=env
            | {"STOCK_DATABASE_URL": self.database_url, "STOCK_TENANT_ID": str(self.tenant_id)},
            ready_url=f"http://127.0.0.1:{actions_port}/health",
            cwd=project,
        )
        self.url = f"http://127.0.0.1:{rasa_port}"
        command = [python, "-m", "rasa", "run", "--model", str(model), "--port", str(rasa_port)]
        command += ["--credentials", "credentials.yml", "--endpoints", str(endpoints)]
        rasa = Proc(
            "rasa",
            command,
            self.log_dir / "rasa.log",
            env=env | {"SANIC_RESPONSE_TIMEOUT": "3600", "SANIC_REQUEST_TIMEOUT": "3600"},
            ready_url=f"{self.url}/",
            cwd=project,
        )
        self.procs = {"rasa-actions": actions, "rasa": rasa}
        for proc in self.procs.values():
            proc.start()
        await asyncio.gather(*(p.wait_ready(READY_SECONDS) for p in self.procs.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop(15.0) for p in self.procs.values()))


@dataclass
class RasaShopper:
    """One shopper talking to stock Rasa's REST channel."""

    number: str
    url: str
    http: httpx.AsyncClient
    turn_timeout: float = 120.0
    history: list[dict[str, Any]] = field(default_factory=list)

    async def turn(self, index: int) -> TurnResult:
        step = SHOPPING[index]
        started = time.time()
        try:
            text = self._text(step)
            answer = await self.http.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": self.number, "message": text},
                timeout=self.turn_timeout,
            )
            answer.raise_for_status()
            replies: list[dict[str, Any]] = answer.json()
        except (httpx.HTTPError, LookupError, ValueError) as exc:
            return TurnResult(index, started, 0.0, 0.0, f"{step.value!r}: {exc!r}")
        done = time.time()
        self.history += replies
        problem = step.check([str(reply.get("text", "")) for reply in replies])
        return TurnResult(index, started, done, done, problem)

    def _text(self, step: Step) -> str:
        if step.kind != "row":
            return step.value  # typed text, or a button's payload ("/checkout")
        for reply in reversed(self.history):
            for button in reply.get("buttons") or ():
                if button.get("title") == step.value:
                    return str(button["payload"])
        raise LookupError(f"no button {step.value!r} was shown")


@contextlib.asynccontextmanager
async def running_stock(stack: StockRasa) -> Any:
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()
