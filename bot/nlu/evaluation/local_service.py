"""Start an NLU service on a free local port for a one-off job (tests of a model, benchmarks).

Unlike `bot.nlu.process` (the long-running service of `wakala run`), this is synchronous,
keeps the service's output in a log file, and reports how long start-up took.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.errors import ServiceUnavailable
from bot.nlu.environment import rasa_env, rasa_python
from bot.settings import Settings


@dataclass(frozen=True)
class LocalService:
    url: str
    pid: int
    ready_seconds: float  # process start to GET /ready answering 200
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def local_service(
    settings: Settings, model: Path, log: Path, *, engine: str = "auto", timeout: float = 300.0
) -> Iterator[LocalService]:
    port = free_port()
    command = [
        str(rasa_python(settings)), "-m", "bot.nlu.rasa.service", "--model", str(model),
        "--models-root", str(model.parent), "--host", "127.0.0.1", "--port", str(port),
        "--engine", engine, "--no-watch",
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=settings.project_dir, env=rasa_env(settings), stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_ready(url, process, started, timeout, log)
        yield LocalService(url, process.pid, ready, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], started: float, timeout: float, log: Path
) -> float:
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise ServiceUnavailable(
                    f"the NLU service exited with {process.returncode} before it was ready:\n{tail}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if http.get(f"{url}/ready").status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.02)  # polling readiness, bounded by the timeout
    raise ServiceUnavailable(f"the NLU service was not ready in {timeout:.0f}s; log: {log}")
