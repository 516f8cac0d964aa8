"""Fixtures for the NLU service tests: a model trained once per session and a running service.

The tests run on the app's Python; Rasa lives in its own Python 3.10 virtualenv: the one
`make setup` builds, or the interpreter WAKALA_TEST_RASA_PYTHON names.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "nlu"
TRAIN_TIMEOUT_S = 600
READY_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def rasa_python() -> Path:
    raw = os.environ.get("WAKALA_TEST_RASA_PYTHON")
    if not raw:
        from bot.errors import SetupError
        from bot.nlu.environment import rasa_python as built_rasa_python
        from bot.settings import Settings

        try:
            return built_rasa_python(Settings())
        except SetupError as exc:
            pytest.fail(str(exc), pytrace=False)
    path = Path(raw)
    if not path.is_file():
        pytest.fail(f"WAKALA_TEST_RASA_PYTHON={raw} is not a file; fix the path.", pytrace=False)
    return path


def rasa_env_for(tmp: Path) -> dict[str, str]:
    """Environment for Rasa subprocesses: our components importable, caches out of the repo."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "RASA_CACHE_DIRECTORY": str(tmp / "rasa-cache"),  # default is ./.rasa in the repo
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


@pytest.fixture(scope="session")
def rasa_env(models_dir: Path) -> dict[str, str]:
    return rasa_env_for(models_dir)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-models")


@pytest.fixture(scope="session")
def trained_model(rasa_python: Path, models_dir: Path) -> Path:
    """Train once per session from tests/fixtures/nlu/train with the repository's config.yml."""
    log = models_dir / "train.log"
    command = [
        str(rasa_python), "-m", "rasa", "train", "nlu",
        "--config", str(REPO_ROOT / "config.yml"),
        "--nlu", str(FIXTURES / "train"),
        "--out", str(models_dir),
        "--fixed-model-name", "test-nlu",
    ]  # fmt: skip
    with log.open("w") as out:
        result = subprocess.run(
            command, cwd=REPO_ROOT, env=rasa_env_for(models_dir), stdout=out,
            stderr=subprocess.STDOUT, timeout=TRAIN_TIMEOUT_S, check=False,
        )  # fmt: skip
    model = models_dir / "test-nlu.tar.gz"
    if result.returncode != 0 or not model.is_file():
        tail = log.read_text(errors="replace")[-3000:]
        pytest.fail(f"rasa train nlu failed (exit {result.returncode}):\n{tail}", pytrace=False)
    return model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningService:
    process: subprocess.Popen[bytes]
    base_url: str
    stdout: Path
    stderr: Path

    def events(self) -> list[dict[str, object]]:
        import json

        return [json.loads(line) for line in self.stdout.read_text().splitlines() if line]

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def start_service(rasa_python: Path, model: Path, workdir: Path, *extra: str) -> RunningService:
    port = free_port()
    stdout, stderr = workdir / f"service-{port}.out", workdir / f"service-{port}.err"
    command = [
        str(rasa_python), "-m", "bot.nlu.rasa.service", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), *extra,
    ]  # fmt: skip
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=rasa_env_for(workdir), stdout=out, stderr=err
        )
    return RunningService(process, f"http://127.0.0.1:{port}", stdout, stderr)


def wait_until_ready(service: RunningService, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll GET /ready until 200; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=service.base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                pytest.fail(
                    f"NLU service exited with {service.process.returncode}:\n"
                    f"{service.stderr.read_text(errors='replace')[-3000:]}",
                    pytrace=False,
                )
            try:
                if client.get("/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
    service.stop()
    pytest.fail(f"NLU service not ready after {timeout} s", pytrace=False)


@pytest.fixture(scope="session")
def nlu_service(
    rasa_python: Path, trained_model: Path, models_dir: Path
) -> Iterator[RunningService]:
    service = start_service(rasa_python, trained_model, models_dir)
    try:
        wait_until_ready(service)
        yield service
    finally:
        service.stop()


@pytest.fixture
def spawn_service(rasa_python: Path, tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    """Start a service of one's own (not ready yet); it is stopped after the test."""
    started: list[RunningService] = []

    def spawn(model: Path, *extra: str) -> RunningService:
        started.append(start_service(rasa_python, model, tmp_path, *extra))
        return started[-1]

    yield spawn
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait(30)


@pytest.fixture(scope="session")
def nlu_fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def client(nlu_service: RunningService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=nlu_service.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def second_model(trained_model: Path, models_dir: Path) -> Path:
    """The same model under another name: enough to see a reload swap what is served."""
    copy = models_dir / "test-nlu-b.tar.gz"
    shutil.copyfile(trained_model, copy)
    return copy


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    """The model of the shipped nlu_data/train and config.yml, as `wakala nlu train` makes it
    (in the project's models directory, so it is trained only when something changed)."""
    from bot.nlu.training import train
    from bot.settings import Settings

    path, _ = train(Settings(), echo=False)
    return path
