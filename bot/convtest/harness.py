"""A whole running pipeline in this process: `run_services` (gateway, worker, sender, actions,
NLU) on the configured services, sending to an in-process Graph API fake that records every
body and measures its size on the wire. Used by `wakala test conversations` and the
integration tests (tests/integration/pipeline.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import ServiceUnavailable
from bot.nlu.training import train
from bot.runtime import Runtime
from bot.services import run_services
from bot.settings import Settings
from bot.simulator.graph_fake import GraphFake
from channels.whatsapp.signature import sign

STARTUP_TIMEOUT = 240.0  # the NLU service alone may take a minute on a small machine


class WebhookRefused(Exception):
    """The gateway did not answer 200 to a webhook the runner posted."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WireMeter:
    """ASGI middleware: the size of each accepted message body as it arrived, by its wamid.

    Measured on the raw request, so it counts what the shopper's data bundle pays for, not a
    re-serialisation of it.
    """

    def __init__(self, app: ASGIApp, sizes: dict[str, int]) -> None:
        self.app = app
        self.sizes = sizes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        size = 0
        answer: list[bytes] = []

        async def counting() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
            return message

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.body":
                answer.append(message.get("body", b""))
            await send(message)

        await self.app(scope, counting, keeping)
        with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
            self.sizes[str(json.loads(b"".join(answer))["messages"][0]["id"])] = size


@dataclass
class Stack:
    settings: Settings  # as the services run them (with the fake's URL and free ports)
    graph: GraphFake
    runtime: Runtime
    http: httpx.AsyncClient
    gateway_url: str
    services: asyncio.Task[None]
    wire_bytes: dict[str, int] = field(default_factory=dict)  # wamid -> body bytes

    def check_running(self) -> None:
        """Raise why the services stopped, if they did: waiting on them would be in vain."""
        if self.services.done():
            reason = self.services.exception() if not self.services.cancelled() else None
            raise ServiceUnavailable(f"the pipeline stopped: {reason!r}") from reason

    async def post_webhook(self, body: dict[str, Any]) -> None:
        """POST a webhook to the gateway, signed with the app secret as Meta signs it."""
        raw = json.dumps(body).encode()
        secret = self.settings.app_secret.get_secret_value()
        response = await self.http.post(
            f"{self.gateway_url}/webhooks/whatsapp",
            content=raw,
            headers={"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"},
        )
        if response.status_code != 200:
            raise WebhookRefused(
                f"the gateway answered {response.status_code} to the webhook: {response.text[:300]}"
            )


async def _start(server: uvicorn.Server) -> asyncio.Task[None]:
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task  # re-raises why it stopped
            raise ServiceUnavailable("the Graph API fake stopped before it started")
        await asyncio.sleep(0.02)  # uvicorn offers no start event; poll its flag
    return task


@contextlib.asynccontextmanager
async def running_stack(settings: Settings) -> AsyncIterator[Stack]:
    """Start every service (as `wakala run` does) against a Graph API fake; stop them after."""
    if settings.nlu_url is None:
        await asyncio.to_thread(train, settings, echo=False)  # skipped when up to date
    graph = GraphFake()
    sizes: dict[str, int] = {}
    graph_port = free_port()
    graph_server = uvicorn.Server(
        uvicorn.Config(
            WireMeter(graph.app(), sizes), host="127.0.0.1", port=graph_port, log_level="warning"
        )
    )
    graph_task = await _start(graph_server)
    stack_settings = settings.model_copy(
        update={
            "graph_base_url": f"http://127.0.0.1:{graph_port}",
            "gateway_port": free_port(),
            "actions_port": free_port(),
            "nlu_port": free_port(),
            "admin_port": free_port(),
        }
    )
    ready: asyncio.Future[Runtime] = asyncio.get_running_loop().create_future()

    async def on_ready(runtime: Runtime) -> None:
        ready.set_result(runtime)

    services = asyncio.create_task(run_services(stack_settings, on_ready=on_ready))
    try:
        waiting: list[asyncio.Future[Any]] = [services, ready]
        await asyncio.wait(waiting, timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if services.done():
            services.result()  # raises why the services stopped
        if not ready.done():
            raise ServiceUnavailable(f"the pipeline did not start in {STARTUP_TIMEOUT:.0f}s")
        runtime = ready.result()
        async with httpx.AsyncClient(timeout=30) as http:
            yield Stack(
                stack_settings, graph, runtime, http, runtime.urls["gateway"], services, sizes
            )
    finally:
        services.cancel()
        graph_server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await services
        await graph_task
