"""The web simulator's JSON API: what the page writes becomes the signed webhook Meta would
send, the chat long-poll reports replies and read receipts, and the shopper's phone posts
delivery statuses the gateway's parser accepts."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.simulator.app import create_app
from bot.simulator.graph_fake import GraphFake
from bot.simulator.web.phone import Phone
from bot.simulator.web.receipts import Receipts
from bot.simulator.web.shops import SimShop
from channels.whatsapp.events import MessageEvent, StatusEvent
from channels.whatsapp.parse import parse_webhook
from channels.whatsapp.signature import verify_signature

SECRET = "unit-secret"
GATEWAY = "http://gateway.test"
SHOP = SimShop("100000000000055", "Lindiwe's Spaza", "27110000055", ("27820000055",))
SHOPPER = "27825550555"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
Json = dict[str, Any]


@dataclass
class Setup:
    client: httpx.AsyncClient
    graph: GraphFake
    webhooks: list[Json] = field(default_factory=list)
    answer: int = 200

    def events(self) -> list[Any]:
        return [event for body in self.webhooks for event in parse_webhook(body)]


async def _shops() -> list[SimShop]:
    return [SHOP]


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    graph = GraphFake()
    gateway = FastAPI()
    # The gateway and the simulator share one in-memory transport, routed by host.
    routes: dict[str, FastAPI] = {"gateway.test": gateway}
    transport = httpx.ASGITransport(app=_by_host(routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        routes["sim.test"] = create_app(
            graph, gateway_url=GATEWAY, app_secret=SECRET, http=client, shops=_shops
        )
        state = Setup(client, graph)

        @gateway.post("/webhooks/whatsapp")
        async def receive(request: Request) -> JSONResponse:
            raw = await request.body()
            verify_signature(raw, request.headers.get("X-Hub-Signature-256"), SECRET)
            state.webhooks.append(json.loads(raw))
            return JSONResponse({"status": "ok"}, status_code=state.answer)

        yield state


def _by_host(routes: dict[str, FastAPI]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        host = dict(scope["headers"]).get(b"host", b"").decode()
        await routes[host](scope, receive, send)

    return app


def write(**fields: Any) -> Json:
    return {"shop": SHOP.phone_number_id, "phone": SHOPPER, **fields}


async def test_lists_the_shops_with_their_staff(setup: Setup) -> None:
    response = await setup.client.get("/_simulator/api/shops")
    assert response.json() == {"shops": [SHOP.as_json()]}
    assert response.json()["shops"][0]["staff"] == ["27820000055"]


async def test_the_page_is_served_with_its_files(setup: Setup) -> None:
    page = await setup.client.get("/")
    assert page.status_code == 200
    assert '<ol class="messages" id="messages"' in page.text
    for name in ("simulator.js", "render.js", "simulator.css"):
        asset = await setup.client.get(f"/_simulator/static/{name}")
        assert asset.status_code == 200, name


async def test_a_button_tap_is_a_signed_reply_quoting_the_bot_message(setup: Setup) -> None:
    response = await setup.client.post(
        "/_simulator/api/send",
        json=write(
            kind="button",
            reply_id="/consent_yes",
            title="Ngiyavuma",
            id="wamid.SIMpage0001",
            context="wamid.FAKE00000001",
        ),
    )
    assert response.json()["status"] == "delivered"
    [event] = setup.events()
    assert isinstance(event, MessageEvent)
    assert event.message_id == "wamid.SIMpage0001"
    assert event.phone_number_id == SHOP.phone_number_id
    message = setup.webhooks[0]["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["interactive"]["button_reply"] == {"id": "/consent_yes", "title": "Ngiyavuma"}
    assert message["context"] == {"from": SHOP.display_phone_number, "id": "wamid.FAKE00000001"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "list", "reply_id": "product:2", "title": "Ubisi 1L", "description": "R21"},
            {
                "type": "list_reply",
                "list_reply": {"id": "product:2", "title": "Ubisi 1L", "description": "R21"},
            },
        ),
        (
            {"kind": "location", "latitude": -26.2, "longitude": 27.9, "place": "Soweto"},
            {"latitude": -26.2, "longitude": 27.9, "name": "Soweto"},
        ),
        (
            {"kind": "template_button", "payload": "/collect", "title": "Collect"},
            {"payload": "/collect", "text": "Collect"},
        ),
    ],
)
async def test_each_kind_becomes_the_webhook_meta_sends(
    setup: Setup, fields: Json, expected: Json
) -> None:
    response = await setup.client.post("/_simulator/api/send", json=write(**fields))
    assert response.status_code == 200, response.text
    message = setup.webhooks[0]["entry"][0]["changes"][0]["value"]["messages"][0]
    content = message[message["type"]]
    assert {key: content.get(key) for key in expected} == expected
    assert isinstance(setup.events()[0], MessageEvent)


async def test_a_photo_is_kept_where_the_bot_downloads_media(setup: Setup) -> None:
    data = base64.b64encode(PNG).decode()
    response = await setup.client.post(
        "/_simulator/api/send",
        json=write(kind="image", mime_type="image/png", data=data, caption="Nansi"),
    )
    media_id = response.json()["content"]["media_id"]
    assert setup.graph.media[media_id] == ("image/png", PNG)
    image = setup.webhooks[0]["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    assert image["id"] == media_id
    assert image["caption"] == "Nansi"
    served = await setup.client.get(f"/_simulator/api/media/{media_id}")
    assert served.content == PNG


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"mime_type": "image/png", "data": "not base64!"}, "not valid base64"),
        ({"mime_type": "image/jpeg", "data": base64.b64encode(PNG).decode()}, "not a JPEG"),
    ],
)
async def test_a_bad_photo_is_refused_with_the_reason(
    setup: Setup, fields: Json, reason: str
) -> None:
    response = await setup.client.post("/_simulator/api/send", json=write(kind="image", **fields))
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert not setup.webhooks


async def test_a_photo_over_whatsapps_5_mb_is_refused(setup: Setup) -> None:
    just_over = base64.b64encode(PNG + b"\x00" * (5 * 1024 * 1024)).decode()
    far_over = just_over * 2  # refused before it is read whole
    for data, status in ((just_over, 422), (far_over, 413)):
        response = await setup.client.post(
            "/_simulator/api/send", json=write(kind="image", mime_type="image/png", data=data)
        )
        assert response.status_code == status
    assert not setup.graph.media
    assert not setup.webhooks


async def test_a_refused_webhook_shows_as_not_delivered(setup: Setup) -> None:
    setup.answer = 503
    response = await setup.client.post("/_simulator/api/send", json=write(kind="text", text="hi"))
    assert response.json()["status"] == "failed"
    assert response.json()["gateway_status"] == 503


async def test_the_chat_poll_brings_replies_and_blue_ticks(setup: Setup) -> None:
    sent = await setup.client.post(
        "/_simulator/api/send", json=write(kind="text", text="sawubona", id="wamid.SIMpage0002")
    )
    first = (await setup.client.get("/_simulator/api/chat", params=_poll())).json()
    assert [w["status"] for w in first["written"]] == ["delivered"]
    assert first["messages"] == []

    waiting = asyncio.create_task(
        setup.client.get("/_simulator/api/chat", params=_poll(state=first["state"], wait=5))
    )
    await setup.graph.record(SHOP.phone_number_id, "t", {"to": SHOPPER, "type": "text"})
    await setup.graph.record("100000000000099", "t", {"to": SHOPPER, "type": "text"})
    answered = (await waiting).json()
    assert [m["body"]["type"] for m in answered["messages"]] == ["text"], "this shop's only"
    assert answered["cursor"] == 1

    waiting = asyncio.create_task(
        setup.client.get(
            "/_simulator/api/chat", params=_poll(state=answered["state"], after=1, wait=5)
        )
    )
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": sent.json()["id"]}
    receipt = await setup.client.post(
        f"/v21.0/{SHOP.phone_number_id}/messages",
        json=read,
        headers={"Authorization": "Bearer t"},
    )
    assert receipt.json() == {"success": True}
    ticked = (await waiting).json()
    assert [w["status"] for w in ticked["written"]] == ["read"]
    assert ticked["state"] != answered["state"]


async def test_an_idle_poll_ends_empty_after_its_wait(setup: Setup) -> None:
    idle = (await setup.client.get("/_simulator/api/chat", params=_poll(wait=0.05))).json()
    assert idle == {"messages": [], "cursor": 0, "written": [], "state": ".0"}


def _poll(*, state: str = "", after: int = 0, wait: float = 0) -> dict[str, str | int | float]:
    return {
        "shop": SHOP.phone_number_id,
        "phone": SHOPPER,
        "state": state,
        "after": after,
        "wait": wait,
    }


async def test_the_phone_posts_sent_delivered_then_read(setup: Setup) -> None:
    phone = Phone(GATEWAY, SECRET, setup.client)
    receipts = Receipts(phone, lambda _: SHOP.display_phone_number, latency=0)
    record = await setup.graph.record(SHOP.phone_number_id, "t", {"to": SHOPPER, "type": "text"})
    await receipts.on_record(record)  # as the fake calls it after answering the send
    # Seen before its delivery was reported: read follows delivered, never precedes it.
    assert await receipts.seen([record.wamid, "wamid.UNKNOWN0001"]) == 1
    await receipts.idle()
    events = [e for e in setup.events() if isinstance(e, StatusEvent)]
    assert [(e.message_id, e.status.value) for e in events] == [
        (record.wamid, "sent"),
        (record.wamid, "delivered"),
        (record.wamid, "read"),
    ]
    assert events[0].phone_number_id == SHOP.phone_number_id
    assert await receipts.seen([record.wamid]) == 0, "read once"
