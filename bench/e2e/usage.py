"""Where the resources and the time go while load runs.

`Usage` samples CPU time and resident memory (psutil) per service process, and for the
machine: CPU % is the process's CPU seconds over the window's wall seconds (100 % = one core
busy), memory the highest RSS seen. `Timings` reads the services' own Prometheus histograms
before and after the window, so each stage's mean comes from the pipeline itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

# Processes shared with everything else on this machine: shown for context only.
SHARED = {"postgres": "PostgreSQL", "redis-server": "Redis", "beam.smp": "RabbitMQ"}


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class Sample:
    cpu_seconds: float = 0.0
    peak_rss: int = 0


@dataclass
class Usage:
    """CPU and peak RSS per named group of processes over a window."""

    groups: dict[str, list[int]]  # name -> pids
    every: float = 1.0
    cpu: dict[str, float] = field(default_factory=dict)  # % of one core
    rss: dict[str, float] = field(default_factory=dict)  # MB, peak
    machine_cpu: float = 0.0  # % of all cores
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Usage:
        self._processes = {
            name: [psutil.Process(pid) for pid in pids] for name, pids in self.groups.items()
        }
        self._started = time.monotonic()
        self._machine = psutil.cpu_times()
        self._first = {name: self._cpu_of(procs) for name, procs in self._processes.items()}
        self._peak = dict.fromkeys(self._processes, 0)
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._take_rss()
        wall = time.monotonic() - self._started
        for name, procs in self._processes.items():
            self.cpu[name] = 100 * (self._cpu_of(procs) - self._first[name]) / wall
            self.rss[name] = self._peak[name] / 2**20
        now = psutil.cpu_times()
        busy = sum(now) - now.idle - (sum(self._machine) - self._machine.idle)
        total = sum(now) - sum(self._machine)
        self.machine_cpu = 100 * busy / total if total else 0.0

    @staticmethod
    def _cpu_of(processes: Iterable[psutil.Process]) -> float:
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                total += _cpu(process)
        return total

    def _take_rss(self) -> None:
        for name, procs in self._processes.items():
            rss = 0
            for process in procs:
                with contextlib.suppress(psutil.Error):
                    rss += process.memory_info().rss
            self._peak[name] = max(self._peak[name], rss)

    async def _sample(self) -> None:
        while True:
            self._take_rss()
            await asyncio.sleep(self.every)  # a sampling period


def shared_pids() -> dict[str, list[int]]:
    """PostgreSQL, Redis and RabbitMQ processes on this machine, whoever uses them."""
    found: dict[str, list[int]] = {label: [] for label in SHARED.values()}
    for process in psutil.process_iter(["name"]):
        label = SHARED.get(process.info["name"] or "")
        if label:
            found[label].append(process.pid)
    return found


HISTOGRAMS = {
    "wakala_webhook_seconds": "gateway: webhook handled",
    "wakala_turn_seconds": "worker: turn (queue to replies enqueued)",
    "wakala_nlu_seconds": "worker: NLU call",
    "wakala_action_seconds": "worker: action server call",
    "wakala_send_seconds": "sender: Graph API call",
}


@dataclass
class Timings:
    """Sums and counts of the pipeline's histograms over every service, as a delta."""

    urls: list[str]  # each service's base URL with /metrics
    totals: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (sum, count)

    async def read(self) -> dict[str, tuple[float, float]]:
        found: dict[str, tuple[float, float]] = {}
        async with httpx.AsyncClient(timeout=10) as http:
            for url in self.urls:
                with contextlib.suppress(httpx.HTTPError):
                    text = (await http.get(f"{url}/metrics")).text
                    for family in text_string_to_metric_families(text):
                        if family.name not in HISTOGRAMS:
                            continue
                        total, count = found.get(family.name, (0.0, 0.0))
                        for sample in family.samples:
                            if sample.name.endswith("_sum"):
                                total += sample.value
                            elif sample.name.endswith("_count"):
                                count += sample.value
                        found[family.name] = (total, count)
        return found

    async def __aenter__(self) -> Timings:
        self._before = await self.read()
        return self

    async def __aexit__(self, *exc: object) -> None:
        after = await self.read()
        for name, (total, count) in after.items():
            was_total, was_count = self._before.get(name, (0.0, 0.0))
            self.totals[name] = (total - was_total, count - was_count)

    def mean_ms(self, name: str) -> float:
        total, count = self.totals.get(name, (0.0, 0.0))
        return 1000 * total / count if count else float("nan")

    def count(self, name: str) -> float:
        return self.totals.get(name, (0.0, 0.0))[1]
