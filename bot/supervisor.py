"""Long-lived tasks of one process: HTTP servers and consumers, stopped in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.bus.base import Bus
from bot.errors import ServiceUnavailable
from bot.gateway import ReadyCheck
from bot.observability import metrics
from bot.observability.metrics import add_metrics

log = logging.getLogger("wakala.run")


async def _serve(app: FastAPI, host: str, port: int, started: asyncio.Event) -> None:
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task  # re-raises why it stopped (e.g. the port is taken)
            raise OSError(f"the server on {host}:{port} stopped before it started")
        await asyncio.sleep(0.05)  # uvicorn offers no start event; poll its flag
    started.set()
    await task


class Supervisor:
    """Runs long-lived tasks; the first to fail stops the rest and is re-raised."""

    def __init__(self) -> None:
        self._group = asyncio.TaskGroup()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def __aenter__(self) -> Supervisor:
        await self._group.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._group.__aexit__(*exc)  # type: ignore[arg-type]

    async def serve(self, name: str, app: FastAPI, host: str, port: int) -> str:
        started = asyncio.Event()
        self._tasks[name] = self._group.create_task(_serve(app, host, port, started), name=name)
        await started.wait()
        return f"http://{host}:{port}"

    def spawn(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        async def run() -> None:
            await job()

        self._tasks[name] = self._group.create_task(run(), name=name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._tasks)

    async def stop(self, names: tuple[str, ...]) -> None:
        """Cancel some tasks first and wait for them: consumers finish the turns in hand
        (see the bus) before the servers and the NLU they need go away."""
        stopping = [self._tasks[name] for name in names if name in self._tasks]
        for task in stopping:
            task.cancel()
        await asyncio.gather(*stopping, return_exceptions=True)


async def sample_depths(bus: Bus, every: float = 5.0) -> None:
    """Queue depth per topic into the metrics, for dashboards and the autoscaler."""
    while True:
        try:
            for topic, depth in (await bus.depths()).items():
                metrics.QUEUE_DEPTH.labels(topic).set(depth)
        except ServiceUnavailable:
            log.warning("queue depths unavailable", extra={"event": "metrics.depth_failed"})
        await asyncio.sleep(every)  # a sampling period, not a synchronisation


def create_probe_app(checks: dict[str, ReadyCheck]) -> FastAPI:
    app = FastAPI(title="Wakala probe", version="1", openapi_url=None)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        status = 200 if all(results.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": results}, status_code=status)

    return add_metrics(app)
