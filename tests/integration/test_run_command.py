"""The README's run command on embedded defaults: it reaches ready and answers "sawubona"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.nlu.training import train
from bot.settings import Settings
from tests.conftest import ROOT
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

READY_LINE = "Wakala is ready"


class Running:
    def __init__(self, process: subprocess.Popen[str], simulator: str) -> None:
        self.process = process
        self.simulator = simulator
        self.output: list[str] = []
        self.ready = threading.Event()

    def pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            sys.stdout.write(line)
            if READY_LINE in line:
                self.ready.set()
        self.ready.set()  # the process ended: wake the waiter either way


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    train(Settings(), echo=False)  # the model `make run` would have trained
    data_dir: Path = tmp_path_factory.mktemp("wakala-data")
    ports = {name: free_port() for name in ("GATEWAY", "ACTIONS", "NLU", "SIMULATOR", "ADMIN")}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "AMQP_URL"} and not key.startswith("WAKALA_")
    }
    env.update({f"WAKALA_{name}_PORT": str(port) for name, port in ports.items()})
    env["WAKALA_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "wakala"), "run"],
        cwd=data_dir,  # not the repository: the command must not depend on the working dir
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Running(process, f"http://127.0.0.1:{ports['SIMULATOR']}")
    threading.Thread(target=run.pump, daemon=True).start()
    try:
        assert run.ready.wait(240), "wakala run did not print that it is ready within 240 s"
        assert process.poll() is None, "wakala run exited:\n" + "".join(run.output[-40:])
        yield run
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def test_run_answers_sawubona_in_isizulu(running: Running) -> None:
    response = httpx.post(
        f"{running.simulator}/_simulator/send",
        json={"from": "27825550001", "text": "sawubona", "wait": 30},
        timeout=40,
    )
    assert response.status_code == 200
    [reply] = response.json()["replies"]
    assert reply["type"] == "interactive"
    assert reply["interactive"]["body"]["text"].startswith("Sawubona")


def test_run_stops_cleanly_on_sigterm(running: Running) -> None:
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(60) == 0
