"""The simulator app alone, in a thread, with a stand-in gateway on the same server: the page
tests put bot messages straight into the Graph API fake and read the webhooks the page sent."""

from __future__ import annotations

import json
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import Request
from fastapi.responses import JSONResponse

from bot.simulator.app import create_app
from bot.simulator.graph_fake import GraphFake
from bot.simulator.web.shops import SimShop
from channels.whatsapp.signature import verify_signature

SECRET = "page-test-secret"
SHOP = SimShop("100000000000077", "Thandi's Corner Shop", "27110000077", ("27820000077",))
REFUSED_TEXT = "please refuse this"  # the stand-in gateway answers 503 to it


@dataclass
class Standalone:
    url: str
    graph: GraphFake
    webhooks: list[dict[str, Any]] = field(default_factory=list)

    def bot_sends(self, to: str, **content: Any) -> str:
        """Send as the bot does, through the Graph API fake's HTTP endpoint; the wamid."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        response = httpx.post(
            f"{self.url}/v21.0/{SHOP.phone_number_id}/messages",
            json={**body, **content},
            headers={"Authorization": "Bearer test-token"},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["messages"][0]["id"])

    def bot_reads(self, message_id: str) -> None:
        response = httpx.post(
            f"{self.url}/v21.0/{SHOP.phone_number_id}/messages",
            json={"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
            headers={"Authorization": "Bearer test-token"},
        )
        assert response.json() == {"success": True}

    def messages(self) -> list[dict[str, Any]]:
        """The user messages the gateway received, in order."""
        found = []
        for body in list(self.webhooks):
            value = body["entry"][0]["changes"][0]["value"]
            found.extend(value.get("messages", []))
        return found

    def statuses(self, wamid: str) -> list[str]:
        found: list[str] = []
        for body in list(self.webhooks):
            value = body["entry"][0]["changes"][0]["value"]
            found.extend(s["status"] for s in value.get("statuses", []) if s["id"] == wamid)
        return found


async def _shops() -> list[SimShop]:
    return [SHOP]


@contextmanager
def standalone_simulator(port: int) -> Iterator[Standalone]:
    url = f"http://127.0.0.1:{port}"
    graph = GraphFake()
    app = create_app(
        graph, gateway_url=url, app_secret=SECRET, http=httpx.AsyncClient(), shops=_shops
    )
    sim = Standalone(url, graph)

    @app.post("/webhooks/whatsapp")
    async def gateway(request: Request) -> JSONResponse:
        raw = await request.body()
        verify_signature(raw, request.headers.get("X-Hub-Signature-256"), SECRET)
        body = json.loads(raw)
        sim.webhooks.append(body)
        if REFUSED_TEXT in raw.decode():
            return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,  # the page's long polls: end them, do not wait
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the simulator did not start"
            time.sleep(0.05)  # uvicorn offers no start event; poll its flag
        yield sim
    finally:
        server.should_exit = True
        thread.join(10)


def png(width: int = 240, height: int = 150) -> bytes:
    """A striped PNG made here, so the tests need no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    stripes = (bytes((222, 184, 135)), bytes((160, 110, 60)))  # a loaf's crust and crumb
    rows = b"".join(b"\x00" + stripes[(y // 15) % 2] * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
