"""Fixtures for the browser tests: a fresh Chromium per test, screenshots, and `wakala run` on
embedded defaults (free ports, a temporary data folder), as a newcomer starts it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from bot.nlu.training import train
from bot.settings import Settings
from tests.browser.browser import DESKTOP, Shots, chromium, page_errors, use_screen
from tests.conftest import ROOT

READY_LINE = "Wakala is ready"
STARTUP_SECONDS = 240  # the NLU service alone may take a minute on a small machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    with chromium() as session:  # one Chromium for the run: starting one takes seconds
        yield session


@pytest.fixture
def driver(browser: WebDriver) -> Iterator[WebDriver]:
    page_errors(browser)  # start from a clean log
    yield browser
    errors = page_errors(browser)
    # Leave nothing to the next test: no saved settings, no open long poll, a desktop screen.
    with contextlib.suppress(WebDriverException):
        browser.execute_script("window.localStorage.clear()")
    browser.get("about:blank")
    use_screen(browser, DESKTOP)
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    return Shots(tmp_path_factory.mktemp("screenshots"))


class Wakala:
    """`wakala run` in a child process; `url` is the simulator's."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
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


@pytest.fixture(scope="session")
def wakala(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wakala]:
    train(Settings(), echo=False)  # the model `make run` would have trained (cached)
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
        cwd=data_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Wakala(process, f"http://127.0.0.1:{ports['SIMULATOR']}")
    threading.Thread(target=run.pump, daemon=True).start()
    try:
        assert run.ready.wait(STARTUP_SECONDS), (
            f"wakala run was not ready within {STARTUP_SECONDS} s:\n" + "".join(run.output[-40:])
        )
        assert process.poll() is None, "wakala run exited:\n" + "".join(run.output[-40:])
        yield run
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
