"""The data report measures each accepted body on the wire, by the wamid Meta answered with."""

from __future__ import annotations

import json

import httpx

from bot.convtest.harness import WireMeter
from bot.simulator.graph_fake import GraphFake

BODY = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "27831000001",
    "type": "text",
    "text": {"preview_url": False, "body": "Sawubona, Thandi! Ubisi lu-R21.99."},
}


async def test_each_accepted_body_is_measured_as_sent() -> None:
    graph = GraphFake()
    sizes: dict[str, int] = {}
    transport = httpx.ASGITransport(app=WireMeter(graph.app(), sizes))
    async with httpx.AsyncClient(transport=transport, base_url="http://graph") as http:
        raw = json.dumps(BODY, ensure_ascii=False).encode()
        headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
        accepted = await http.post("/v21.0/PN1/messages", content=raw, headers=headers)
        refused = await http.post("/v21.0/PN1/messages", json={"to": "x"}, headers=headers)
        read = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.1"}
        await http.post("/v21.0/PN1/messages", json=read, headers=headers)
    assert accepted.status_code == 200
    assert refused.status_code == 400
    [record] = graph.sent
    assert sizes == {record.wamid: len(raw)}  # refused bodies and read receipts are not replies
