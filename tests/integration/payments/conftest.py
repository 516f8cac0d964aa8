"""The gateway fakes and a webhook receiver, served by uvicorn on free local ports.

The two servers start once per session; each test plugs fresh apps into them (`Switch`), so
no state crosses tests and no test waits for uvicorn to start or stop.

`Receiver` is what the order service's webhook route does, minus the database: verify the
notification on the raw bytes, settle it against the order, and answer the gateway (401 for a
forgery; 200 for a replay, a held order or a reference that is not ours; 503 when a retry
can help, since both gateways re-send until they get a 200).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.simulator.ozow_fake import OzowFake
from bot.simulator.paystack_fake import PaystackFake
from commerce.payments import (
    ExpectedPayment,
    MemoryLedger,
    OzowConfig,
    OzowGateway,
    PaymentGateway,
    PaystackConfig,
    PaystackGateway,
    Settlement,
    settle,
)
from commerce.payments.errors import (
    NotificationRejected,
    PaymentError,
    PaymentMismatch,
    ReplayedNotification,
)

Outcome = Settlement | PaymentError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def serve(*apps: ASGIApp) -> AsyncIterator[list[str]]:
    """Serve each app on its own free port; stop them together (uvicorn takes ~0.2 s).

    The sockets are bound here and handed to uvicorn, so no other process can take a port
    between choosing it and listening on it.
    """
    sockets = [_bound_socket() for _ in apps]
    servers = [
        uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off")) for app in apps
    ]
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    try:
        async with asyncio.timeout(10):
            while not all(server.started for server in servers):
                for task in tasks:
                    if task.done():
                        task.result()  # raises why it stopped
                await asyncio.sleep(0.01)  # uvicorn exposes no started event
        yield [f"http://127.0.0.1:{sock.getsockname()[1]}" for sock in sockets]
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks)
        for sock in sockets:
            sock.close()


@dataclass
class Receiver:
    gateway: PaymentGateway | None = None
    orders: dict[str, ExpectedPayment] = field(default_factory=dict)
    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    outcomes: list[Outcome] = field(default_factory=list)

    def expect(self, reference: str, amount_cents: int, currency: str = "ZAR") -> None:
        self.orders[reference] = ExpectedPayment(reference, amount_cents, currency)

    async def handle(self, raw_body: bytes, headers: dict[str, str]) -> int:
        assert self.gateway is not None
        try:
            notification = self.gateway.verify_notification(raw_body, headers)
        except NotificationRejected as exc:
            self.outcomes.append(exc)
            return 401
        expected = self.orders.get(notification.reference)
        if expected is None:
            return 200  # not ours (e.g. a sale made elsewhere on the account): no retries
        try:
            self.outcomes.append(await settle(self.gateway, notification, expected, self.ledger))
        except (ReplayedNotification, PaymentMismatch) as exc:
            self.outcomes.append(exc)  # acknowledged: a re-send cannot change the verdict
        except PaymentError as exc:
            self.outcomes.append(exc)
            return 503 if exc.retryable else 200
        return 200

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/notify")
        async def notify(request: Request) -> Response:
            status = await self.handle(await request.body(), dict(request.headers))
            return Response(status_code=status)

        return app

    def last(self) -> Outcome:
        return self.outcomes[-1]


@dataclass
class Stack:
    http: httpx.AsyncClient
    receiver: Receiver
    fake_url: str


@dataclass
class PaystackStack(Stack):
    fake: PaystackFake
    gateway: PaystackGateway


@dataclass
class OzowStack(Stack):
    fake: OzowFake
    gateway: OzowGateway
    notify_url: str


@dataclass
class Switch:
    """An ASGI app that forwards to whichever app the current test plugged in."""

    target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "no app plugged in for this test"
        await self.target(scope, receive, send)


@dataclass(frozen=True)
class Servers:
    receiver: Switch
    fake: Switch
    receiver_url: str
    fake_url: str

    def plug(self, receiver: Receiver, fake_app: FastAPI) -> None:
        self.receiver.target, self.fake.target = receiver.app(), fake_app


@pytest.fixture(scope="session")
async def servers() -> AsyncIterator[Servers]:
    receiver, fake = Switch(), Switch()
    async with serve(receiver, fake) as (receiver_url, fake_url):
        yield Servers(receiver, fake, receiver_url, fake_url)


@pytest.fixture
async def paystack(servers: Servers) -> AsyncIterator[PaystackStack]:
    receiver = Receiver()
    fake = PaystackFake(secret_key="sk_test_wakala_integration")
    servers.plug(receiver, fake.app())
    async with httpx.AsyncClient(timeout=10) as http:
        fake.http, fake.public_url = http, servers.fake_url
        fake.webhook_url = f"{servers.receiver_url}/notify"
        config = PaystackConfig(secret_key=fake.secret_key, base_url=servers.fake_url)
        receiver.gateway = gateway = PaystackGateway(config, http)
        yield PaystackStack(http, receiver, servers.fake_url, fake, gateway)


@pytest.fixture
async def ozow(servers: Servers) -> AsyncIterator[OzowStack]:
    receiver = Receiver()
    fake = OzowFake(site_code="WKLTEST001", private_key="Int-Private-Key", api_key="int-api")
    servers.plug(receiver, fake.app())
    async with httpx.AsyncClient(timeout=10) as http:
        fake.http, fake.public_url = http, servers.fake_url
        config = OzowConfig(
            site_code=fake.site_code,
            private_key=fake.private_key,
            api_key=fake.api_key,
            notify_url=f"{servers.receiver_url}/notify",
            success_url="https://shop.example/pay/ozow/success",
            api_base_url=servers.fake_url,
            pay_base_url=servers.fake_url,
            optional1="SPAZA01",
        )
        receiver.gateway = gateway = OzowGateway(config, http)
        yield OzowStack(http, receiver, servers.fake_url, fake, gateway, config.notify_url)
