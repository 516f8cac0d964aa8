"""Child processes of the harness: each with its own environment and log file, waited on until
its readiness URL answers, stopped gently (SIGTERM, then SIGKILL) or killed outright.

Every child gets a session of its own, so a signal reaches it and its children (the RabbitMQ
start script and the Erlang VM) together, and a Ctrl-C in the terminal reaches only the harness.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
# RabbitMQ's command-line tools listen on 35672-35682 for their own Erlang distribution.
_RESERVED = range(35672, 35683)


def free_port() -> int:
    """A TCP port nothing listens on now (and not one RabbitMQ's CLI tools take)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _RESERVED:
            return port


class ProcessFailed(RuntimeError):
    """A child exited before it was ready, or did not get ready in time."""


@dataclass
class Proc:
    """One child process, restartable with the same command, environment and log file."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)  # on top of this process's environment
    ready_url: str | None = None  # GET answers 200 when ready
    cwd: Path = ROOT
    user: str | None = None  # run as this user (PostgreSQL refuses to run as root)
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {self.starts + 1} at {time.time():.3f}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                user=self.user,
            )
        self.starts += 1

    async def wait_ready(self, timeout: float) -> None:
        """Until `ready_url` answers 200 (or, without one, until the process is running)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as http:
            while True:
                if not self.running:
                    raise ProcessFailed(f"{self.name} exited early; see {self.log_path}")
                if self.ready_url is None:
                    return
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.ready_url)).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise ProcessFailed(
                        f"{self.name} not ready in {timeout:.0f}s; see {self.log_path}"
                    )
                await asyncio.sleep(0.1)  # a readiness poll, bounded by the deadline

    def signal(self, signum: int) -> None:
        if self.running and self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    async def stop(self, timeout: float = 35.0) -> None:
        """SIGTERM (a Wakala service finishes its turns in hand, up to 30 s), then SIGKILL."""
        self.signal(signal.SIGTERM)
        if not await self.wait_exit(timeout):
            self.signal(signal.SIGKILL)
            await self.wait_exit(10.0)

    async def kill(self) -> None:
        self.signal(signal.SIGKILL)
        await self.wait_exit(10.0)

    async def wait_exit(self, timeout: float) -> bool:
        """Until the child and everything it started (its session) are gone."""
        if self.popen is None:
            return True
        deadline = time.monotonic() + timeout
        try:
            await asyncio.to_thread(self.popen.wait, timeout)
        except subprocess.TimeoutExpired:
            return False
        while _session_alive(self.popen.pid):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)  # e.g. the Erlang VM outliving RabbitMQ's start script
        return True


def _session_alive(session: int) -> bool:
    """Whether a process (not a zombie) of this session is still running."""
    for process in psutil.process_iter(["status"]):
        with contextlib.suppress(OSError, psutil.Error):
            if os.getsid(process.pid) == session and process.info["status"] != "zombie":
                return True
    return False
