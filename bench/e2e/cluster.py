"""Wakala as a deployment runs it: every service its own process, on given PostgreSQL, Redis and
RabbitMQ, talking to the Graph API fake process.

    graph      python -m bench.e2e.graph_sink           the Graph API fake (sends streamed)
    nlu        <rasa python> -m bot.nlu.rasa.service    the NLU service, the trained model
    actions    wakala serve actions
    gateway    wakala serve gateway                     signed webhooks in
    worker-N   wakala serve worker                      (WAKALA_NLU_URL, WAKALA_ACTIONS_URL)
    sender-N   wakala serve sender                      (WAKALA_GRAPH_BASE_URL)

The schema is migrated once, before the services start (each would otherwise migrate too).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.e2e.procs import ROOT, Proc, free_port
from bot.nlu.environment import rasa_env, rasa_python
from bot.nlu.training import train
from bot.runtime import migrate
from bot.settings import Settings

WAKALA = str(Path(sys.executable).parent / "wakala")
READY_SECONDS = 240.0  # the NLU service and several Pythons starting at once on two cores


@dataclass(frozen=True, slots=True)
class Infra:
    """Where the state lives: an admin (owner) database URL, Redis, RabbitMQ, and a namespace
    for this run's Redis keys and RabbitMQ names."""

    database_url: str
    redis_url: str
    amqp_url: str
    namespace: str


@dataclass(frozen=True, slots=True)
class Layout:
    workers: int = 2
    senders: int = 1
    shards: int = 16


@dataclass
class Cluster:
    infra: Infra
    layout: Layout
    log_dir: Path
    procs: dict[str, Proc] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """Settings as the services see them (for the harness's own connections)."""
        return Settings(
            env="test",
            database_url=self.infra.database_url,
            redis_url=self.infra.redis_url,
            amqp_url=self.infra.amqp_url,
            namespace=self.infra.namespace,
            shards=self.layout.shards,
            seed_demo=False,
        )

    def _env(self, **extra: str) -> dict[str, str]:
        env = {
            "WAKALA_ENV": "test",
            "DATABASE_URL": self.infra.database_url,
            "REDIS_URL": self.infra.redis_url,
            "AMQP_URL": self.infra.amqp_url,
            "WAKALA_NAMESPACE": self.infra.namespace,
            "WAKALA_SHARDS": str(self.layout.shards),
            "WAKALA_SEED_DEMO": "false",
            "WAKALA_GRAPH_BASE_URL": self.urls["graph"],
            # Shoppers here answer at once; Meta's per-shopper pacing would make them crawl.
            "WAKALA_PAIR_BURST": "100000",
            "WAKALA_PAIR_INTERVAL": "0.001",
            "PYTHONUNBUFFERED": "1",
        }
        return env | extra

    def _add(self, name: str, argv: list[str], ready: str | None, **env: str) -> Proc:
        proc = Proc(name, argv, self.log_dir / f"{name}.log", env=env, ready_url=ready)
        self.procs[name] = proc
        return proc

    async def start(self) -> None:
        """Everything up and ready; raises `ProcessFailed` naming the one that is not."""
        settings = self.settings
        model = await asyncio.to_thread(self._model, settings)
        graph_port, nlu_port = free_port(), free_port()
        self.urls["graph"] = f"http://127.0.0.1:{graph_port}"
        self.urls["nlu"] = f"http://127.0.0.1:{nlu_port}"
        graph = self._add(
            "graph",
            [sys.executable, "-m", "bench.e2e.graph_sink", "--port", str(graph_port)],
            f"{self.urls['graph']}/health",
        )
        nlu = self._nlu(settings, model, nlu_port)
        for proc in (graph, nlu):
            proc.start()
        await migrate(settings)
        for proc in self._services():
            proc.start()
        await asyncio.gather(*(p.wait_ready(READY_SECONDS) for p in self.procs.values()))

    def _model(self, settings: Settings) -> Path:
        """The trained model (trained now if the data changed), copied where no later
        training elsewhere on the machine makes the service swap it mid-run."""
        model, _ = train(settings.model_copy(update={"project_dir": ROOT}), echo=False)
        private = self.log_dir / "models" / model.name
        private.parent.mkdir(parents=True, exist_ok=True)
        if not private.exists():
            shutil.copy2(model, private)
        return private

    def _nlu(self, settings: Settings, model: Path, port: int) -> Proc:
        argv = [str(rasa_python(settings)), "-m", "bot.nlu.rasa.service", "--model", str(model)]
        argv += ["--port", str(port), "--no-watch"]
        proc = self._add("nlu", argv, f"{self.urls['nlu']}/ready")
        proc.env = rasa_env(settings)
        return proc

    def _services(self) -> list[Proc]:
        actions_port, gateway_port = free_port(), free_port()
        self.urls["actions"] = f"http://127.0.0.1:{actions_port}"
        self.urls["gateway"] = f"http://127.0.0.1:{gateway_port}"
        procs = [
            self._add(
                "actions",
                [WAKALA, "serve", "actions"],
                f"{self.urls['actions']}/health",
                **self._env(WAKALA_ACTIONS_PORT=str(actions_port)),
            ),
            self._add(
                "gateway",
                [WAKALA, "serve", "gateway"],
                f"{self.urls['gateway']}/ready",
                **self._env(WAKALA_GATEWAY_PORT=str(gateway_port)),
            ),
        ]
        for index in range(self.layout.workers):
            procs.append(self._consumer("worker", index))
        for index in range(self.layout.senders):
            procs.append(self._consumer("sender", index))
        return procs

    def _consumer(self, kind: str, index: int) -> Proc:
        port = free_port()
        name = f"{kind}-{index + 1}"
        self.urls[name] = f"http://127.0.0.1:{port}"
        env = self._env(WAKALA_METRICS_PORT=str(port))
        if kind == "worker":
            env |= {"WAKALA_NLU_URL": self.urls["nlu"], "WAKALA_ACTIONS_URL": self.urls["actions"]}
        return self._add(name, [WAKALA, "serve", kind], f"{self.urls[name]}/ready", **env)

    def named(self, prefix: str) -> list[Proc]:
        return [proc for name, proc in self.procs.items() if name.startswith(prefix)]

    async def restart(self, name: str) -> None:
        proc = self.procs[name]
        if proc.running:
            await proc.stop()
        proc.start()
        await proc.wait_ready(READY_SECONDS)

    async def stop(self) -> None:
        """Consumers first (they finish their turns in hand), then the rest."""
        consumers = self.named("worker") + self.named("sender")
        await asyncio.gather(*(p.stop() for p in consumers))
        await asyncio.gather(*(p.stop() for p in self.procs.values()))
