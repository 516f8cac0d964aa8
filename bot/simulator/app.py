"""The local WhatsApp simulator: the Graph API fake, plus ways to write as a shopper.

`POST /_simulator/send` builds the webhook body Meta would send, signs it with the app secret,
posts it to the gateway, and (with `wait`) returns the bot's replies to that shopper.
`/` is the web simulator, a WhatsApp-like page over the same pipeline (bot/simulator/web/).
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from bot.demo import DEMO_SHOP
from bot.simulator.graph_fake import GraphFake
from bot.simulator.web.phone import Phone
from bot.simulator.web.routes import add_web_simulator
from bot.simulator.web.shops import ShopSource, demo_shops
from channels.whatsapp import simulate


class SimulatedMessage(BaseModel):
    sender: str = Field(default="27820001111", alias="from", pattern=r"^[0-9]{6,15}$")
    text: str | None = Field(default=None, max_length=4096)
    button_id: str | None = None
    button_title: str = ""
    phone_number_id: str = DEMO_SHOP.phone_number_id
    name: str = "Shopper"
    wait: float = Field(default=10.0, ge=0, le=60)
    replies: int = Field(default=1, ge=1, le=10)


def create_app(
    graph: GraphFake,
    *,
    gateway_url: str,
    app_secret: str,
    http: httpx.AsyncClient,
    shops: ShopSource = demo_shops,
    statuses: bool = True,
) -> FastAPI:
    """`shops`: the business numbers the page offers. `statuses`: the simulated phones post
    delivery statuses (sent, delivered, read) for what the bot sends, as Meta would."""
    app = graph.app()
    phone = Phone(gateway_url, app_secret, http)

    @app.post("/_simulator/send")
    async def send(message: SimulatedMessage) -> dict[str, Any]:
        if message.button_id:
            content = simulate.button_reply(
                message.button_id, message.button_title or message.button_id
            )
        else:
            content = simulate.text(message.text or "")
        body = simulate.message_body(
            phone_number_id=message.phone_number_id,
            sender=message.sender,
            message=content,
            name=message.name,
        )
        before = graph.sent[-1].seq if graph.sent else 0
        status = await phone.post(body)
        replies: list[dict[str, Any]] = []
        if status == 200 and message.wait:
            try:
                found = await graph.wait_for(
                    message.replies, to=message.sender, after=before, timeout=message.wait
                )
                replies = [record.body for record in found]
            except TimeoutError:
                replies = [r.body for r in graph.messages(message.sender, before)]
        return {"gateway_status": status, "replies": replies}

    add_web_simulator(app, graph, phone=phone, shops=shops, statuses=statuses)
    return app
