"""Run the services: everything in one process (`wakala run`) or some kinds only
(`wakala serve worker sender`), on real URLs when configured, on embedded parts otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Literal

from actions.server import create_app as create_actions_app
from bot.actions_client import ActionsClient
from bot.admin import create_admin_app
from bot.delivery import DeliveryRecorder
from bot.directory import Directory
from bot.effects import Effects
from bot.gateway import Gateway, ReadyCheck
from bot.gateway import create_app as create_gateway_app
from bot.guards import GUARDS
from bot.nlu.catalog_cache import CatalogMatchers, PostgresCatalog
from bot.nlu.catalog_text import blank_pipeline
from bot.nlu.client import NluClient
from bot.nlu.process import nlu_service
from bot.nlu.training import latest_model
from bot.notifier import Notifier
from bot.observability import tracing
from bot.observability.metrics import add_metrics
from bot.payments import ConfiguredGateways, PaymentService
from bot.payments import create_router as create_payments_router
from bot.runtime import Runtime, open_runtime
from bot.sender import Reengagement, Sender
from bot.settings import Settings
from bot.simulator.app import create_app as create_simulator_app
from bot.simulator.graph_fake import GraphFake
from bot.simulator.web.shops import directory_shops
from bot.supervisor import Supervisor, create_probe_app, sample_depths
from bot.turn import Turns
from bot.worker import Worker
from channels.whatsapp.graph import GraphClient
from dialogue.engine import Engine
from dialogue.flows import load_flows
from dialogue.responses import Responses

log = logging.getLogger("wakala.run")

Service = Literal["gateway", "worker", "sender", "actions", "admin"]
ALL_SERVICES: tuple[Service, ...] = ("gateway", "worker", "sender", "actions", "admin")
CONSUMERS = ("worker", "sender", "delivery", "notifier")


async def run_services(
    settings: Settings,
    services: tuple[Service, ...] = ALL_SERVICES,
    *,
    on_ready: Callable[[Runtime], Awaitable[None]] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the given services until `stop` is set (or until cancelled); `run` runs them all
    in one process. On `stop`, consumers finish their turns in hand first (up to 30 s)."""
    tracing.configure(f"wakala-{'+'.join(services)}", settings.otlp_endpoint)
    async with open_runtime(settings) as runtime, Supervisor() as supervisor:
        graph_url = settings.graph_base_url or await _start_simulator(runtime, supervisor)
        actions_url = settings.actions_url
        if actions_url is None and "actions" in services:
            actions_url = await _start_actions(runtime, supervisor)
        directory = Directory(runtime.engine)
        payments = PaymentService(
            runtime.engine,
            ConfiguredGateways.from_settings(settings, runtime.http),
            settings.payment_gateways,
        )
        nlu_url = settings.nlu_url
        if "worker" in services:
            nlu_url = nlu_url or await supervisor_nlu(supervisor, settings)
            runtime.urls["nlu"] = nlu_url
            _start_worker(runtime, supervisor, directory, nlu_url, actions_url, payments)
        if "sender" in services:
            _start_sender(runtime, supervisor, directory, graph_url)
        if "gateway" in services:
            await _start_gateway(runtime, supervisor, nlu_url, payments)
        if "admin" in services:
            await _start_admin(runtime, supervisor)
        if "gateway" not in services and settings.metrics_port:
            # A worker or sender alone has no HTTP app: health, readiness and metrics here.
            probe = create_probe_app({"bus": runtime.bus.ready, "store": runtime.store.ready})
            runtime.urls["metrics"] = await supervisor.serve(
                "probe", probe, settings.host, settings.metrics_port
            )
        supervisor.spawn("queue-depths", partial(sample_depths, runtime.bus))
        if on_ready is not None:
            await on_ready(runtime)
        if stop is not None:
            await stop.wait()
            log.info("stopping: finishing the turns in hand", extra={"event": "run.stopping"})
            await supervisor.stop(CONSUMERS)
            await supervisor.stop(supervisor.names)  # then the servers and the NLU


async def _start_simulator(runtime: Runtime, supervisor: Supervisor) -> str:
    """No Graph API configured: the local fake, with a way to write as a shopper."""
    settings = runtime.settings
    runtime.graph_fake = GraphFake()
    simulator = create_simulator_app(
        runtime.graph_fake,
        gateway_url=f"http://{settings.host}:{settings.gateway_port}",
        app_secret=settings.app_secret.get_secret_value(),
        http=runtime.http,
        shops=directory_shops(runtime.engine),
    )
    url = await supervisor.serve(
        "simulator", add_metrics(simulator), settings.host, settings.simulator_port
    )
    runtime.urls["simulator"] = url
    return url


async def _start_actions(runtime: Runtime, supervisor: Supervisor) -> str:
    settings = runtime.settings
    previous = settings.actions_token_previous
    app = add_metrics(
        create_actions_app(
            runtime.engine,
            settings.actions_token.get_secret_value(),
            previous_token=previous.get_secret_value() if previous else None,
        )
    )
    url = await supervisor.serve("actions", app, settings.host, settings.actions_port)
    runtime.urls["actions"] = url
    return url


def _start_worker(
    runtime: Runtime,
    supervisor: Supervisor,
    directory: Directory,
    nlu_url: str,
    actions_url: str | None,
    payments: PaymentService,
) -> None:
    worker = _build_worker(runtime, directory, nlu_url, actions_url, payments)
    supervisor.spawn("worker", worker.run)
    notifier = Notifier(
        engine=runtime.engine,
        database_url=runtime.app_url,
        bus=runtime.bus,
        responses=worker.responses,
    )
    supervisor.spawn("notifier", notifier.run)


def _start_sender(
    runtime: Runtime, supervisor: Supervisor, directory: Directory, graph_url: str
) -> None:
    settings = runtime.settings
    sender = Sender(
        bus=runtime.bus,
        store=runtime.store,
        directory=directory,
        graph=GraphClient(graph_url, settings.graph_api_version, runtime.http),
        engine=runtime.engine,
        limiter=runtime.limiter,
        reengagement=Reengagement(dict(settings.reengagement_templates)),
    )
    supervisor.spawn("sender", sender.run)
    recorder = DeliveryRecorder(bus=runtime.bus, engine=runtime.engine, directory=directory)
    supervisor.spawn("delivery", recorder.run)


async def _start_gateway(
    runtime: Runtime, supervisor: Supervisor, nlu_url: str | None, payments: PaymentService
) -> None:
    settings = runtime.settings
    gateway = Gateway(
        runtime.bus,
        runtime.store,
        app_secret=settings.app_secret.get_secret_value(),
        verify_token=settings.verify_token.get_secret_value(),
        throttle=runtime.throttle,
        previous_app_secret=(
            settings.app_secret_previous.get_secret_value()
            if settings.app_secret_previous
            else None
        ),
    )
    checks: dict[str, ReadyCheck] = {"bus": runtime.bus.ready, "store": runtime.store.ready}
    if nlu_url is not None:
        checks["nlu"] = NluClient(nlu_url, runtime.http).ready
    app = create_gateway_app(gateway, checks)
    app.include_router(create_payments_router(payments))
    runtime.urls["gateway"] = await supervisor.serve(
        "gateway", app, settings.host, settings.gateway_port
    )


async def _start_admin(runtime: Runtime, supervisor: Supervisor) -> None:
    settings = runtime.settings
    app = create_admin_app(
        engine=runtime.engine,
        owner_engine=runtime.admin_engine,
        secret=settings.admin_secret.get_secret_value(),
        throttle=runtime.admin_throttle,
    )
    runtime.urls["admin"] = await supervisor.serve(
        "admin", add_metrics(app), settings.host, settings.admin_port
    )


async def supervisor_nlu(supervisor: Supervisor, settings: Settings) -> str:
    """Start the NLU service as a child process that lives as long as the supervisor."""
    model = latest_model(settings)
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def keep() -> None:
        async with nlu_service(settings, model, settings.nlu_port) as url:
            ready.set_result(url)
            await asyncio.Future()  # until cancelled

    supervisor.spawn("nlu", keep)
    return await ready


def _build_worker(
    runtime: Runtime,
    directory: Directory,
    nlu_url: str,
    actions_url: str | None,
    payments: PaymentService,
) -> Worker:
    settings = runtime.settings
    if actions_url is None:
        actions_url = f"http://{settings.host}:{settings.actions_port}"
    responses = Responses.from_domain(settings.domain_file)
    actions = ActionsClient(actions_url, settings.actions_token.get_secret_value(), runtime.http)
    blank_pipeline()  # load spaCy now, not on the first message
    turns = Turns(
        db=runtime.engine,
        nlu=NluClient(nlu_url, runtime.http),
        engine=Engine(load_flows(settings.flows_dir), GUARDS),
        effects=Effects(
            actions,
            responses,
            runtime.store,
            handoff_seconds=settings.handoff_minutes * 60,
            payments=payments,
        ),
        matchers=CatalogMatchers(PostgresCatalog(runtime.engine)),
        session_seconds=settings.session_minutes * 60,
    )
    return Worker(
        db=runtime.engine,
        bus=runtime.bus,
        store=runtime.store,
        directory=directory,
        turns=turns,
        responses=responses,
    )
