"""A lean HTTP/1.1 load generator for the NLU service's POST /parse (asyncio streams only).

httpx costs the client more CPU per request than the fast engine costs the server, and on a
2-core machine client and server share the cores, so the bench talks raw HTTP/1.1 with
keep-alive: a few dozen microseconds per request on the client side.

- `closed_loop`: N connections, each sending its next request when the last one answers;
  parses/s and latency at a given batch size.
- `open_loop`: requests at a fixed rate whatever the service does (no coordinated
  omission): latency is measured from when each request was due, not from when it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Run:
    requests: int
    errors: int
    seconds: float
    texts_per_request: int
    latencies_ms: tuple[float, ...]

    @property
    def parses_per_second(self) -> float:
        ok = self.requests - self.errors
        return ok * self.texts_per_request / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


def _bodies(texts: Sequence[str], batch: int, count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    return [
        json.dumps({"texts": [rng.choice(texts) for _ in range(batch)]}).encode()
        for _ in range(count)
    ]


async def closed_loop(
    url: str, texts: Sequence[str], *, batch: int, connections: int, seconds: float
) -> Run:
    parts = urlsplit(url)
    bodies = _bodies(texts, batch, 512)
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
        i = k
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = await connection.post("/parse", bodies[i % len(bodies)])
                latencies.append((time.perf_counter() - started) * 1000)
                counts["requests"] += 1
                counts["errors"] += status != 200
                i += connections
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.perf_counter() - started
    return Run(counts["requests"], counts["errors"], elapsed, batch, tuple(latencies))


async def open_loop(url: str, texts: Sequence[str], *, rate: float, seconds: float) -> Run:
    """Single-text requests at `rate` per second; latency from each request's due time."""
    parts = urlsplit(url)
    total = int(rate * seconds)
    bodies = _bodies(texts, 1, total)
    idle: list[Connection] = []
    latencies: list[float] = []
    counts = {"errors": 0}

    async def one(due: float, body: bytes) -> None:
        connection = idle.pop() if idle else Connection(parts.hostname or "", parts.port or 80)
        try:
            status = await connection.post("/parse", body)
            counts["errors"] += status != 200
        except OSError:
            counts["errors"] += 1
        latencies.append((time.perf_counter() - due) * 1000)
        idle.append(connection)

    start = time.perf_counter() + 0.05
    tasks = []
    for k, body in enumerate(bodies):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, body)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for connection in idle:
        await connection.close()
    return Run(total, counts["errors"], elapsed, 1, tuple(latencies))
