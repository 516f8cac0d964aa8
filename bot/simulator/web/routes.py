"""The page at `/` and the JSON it talks to, under `/_simulator/api/` (three path segments or
more: the Graph API fake answers every `GET /{version}/{id}`)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from bot.simulator.graph_fake import GraphFake, SentRecord
from bot.simulator.web.chats import Chats, Delivery, Written
from bot.simulator.web.phone import Phone, with_context
from bot.simulator.web.receipts import Receipts
from bot.simulator.web.shops import ShopSource, SimShop
from bot.simulator.web.writing import (
    MAX_IMAGE_BYTES,
    BadImage,
    Digits,
    NumberId,
    PageMessage,
    Wamid,
    webhook_message,
)
from channels.whatsapp import simulate

STATIC = Path(__file__).resolve().parent / "static"
SHOPS_SECONDS = 5.0  # re-read the shop list this often: an operator may add one meanwhile
NO_CACHE = {"Cache-Control": "no-cache"}
SEND_BYTES = MAX_IMAGE_BYTES * 4 // 3 + 64 * 1024  # a 5 MB photo in base64, and the rest


class ShopBook:
    """The shop list, re-read every few seconds; also answers synchronously from the last read
    (the status webhooks want a shop's display number without a database round trip)."""

    def __init__(self, source: ShopSource) -> None:
        self.source = source
        self._shops: dict[str, SimShop] = {}
        self._until = 0.0

    async def all(self) -> list[SimShop]:
        if time.monotonic() >= self._until:
            self._shops = {shop.phone_number_id: shop for shop in await self.source()}
            self._until = time.monotonic() + SHOPS_SECONDS
        return list(self._shops.values())

    async def get(self, phone_number_id: str) -> SimShop | None:
        await self.all()
        return self._shops.get(phone_number_id)

    def display(self, phone_number_id: str) -> str:
        shop = self._shops.get(phone_number_id)
        return shop.display_phone_number if shop else ""


class Seen(BaseModel):
    ids: list[Wamid] = Field(max_length=100)


def add_web_simulator(
    app: FastAPI,
    graph: GraphFake,
    *,
    phone: Phone,
    shops: ShopSource,
    statuses: bool = True,
) -> None:
    """Serve the page and its API on the simulator's app. With `statuses`, the shopper's phone
    also posts `sent`, `delivered` and `read` status webhooks for the bot's messages."""
    book = ShopBook(shops)
    chats = Chats(graph)
    receipts: Receipts | None = None
    if statuses:
        receipts = Receipts(phone, book.display)
        graph.listeners.append(receipts.on_record)

    def outbound(shop: str, to: str, after: int) -> list[SentRecord]:
        return [r for r in graph.messages(to, after) if r.phone_number_id == shop]

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=NO_CACHE)

    @app.get("/_simulator/api/shops")
    async def list_shops() -> dict[str, Any]:
        return {"shops": [shop.as_json() for shop in await book.all()]}

    @app.post("/_simulator/api/send", max_body_size=SEND_BYTES)
    async def send(message: PageMessage) -> dict[str, Any]:
        shop = await book.get(message.shop)
        business = shop.display_phone_number if shop and shop.display_phone_number else ""
        try:
            content, shown = webhook_message(message, graph)
        except BadImage as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        wamid = message.id or simulate.new_message_id()
        at = time.time()
        body = simulate.message_body(
            phone_number_id=message.shop,
            sender=message.phone,
            message=with_context(content, message.context, business),
            display_phone_number=business or message.shop,
            name=message.name,
            message_id=wamid,
            timestamp=int(at),
        )
        code = await phone.post(body)
        delivery: Delivery = "delivered" if code == 200 else "failed"
        written = Written(wamid, at, message.kind, shown, delivery, code, message.context)
        chats.add(message.shop, message.phone, written)
        return written.as_json(read=False)

    @app.get("/_simulator/api/chat")
    async def chat(
        shop: Annotated[NumberId, Query()],
        phone_number: Annotated[Digits, Query(alias="phone")],
        after: Annotated[int, Query(ge=0)] = 0,
        state: str = "",
        wait: Annotated[float, Query(ge=0, le=30)] = 0,
    ) -> dict[str, Any]:
        """Long-polls: answers when the bot sent something after `after`, or when what the
        shopper wrote changed state (a read receipt), or after `wait` seconds."""

        def changed() -> bool:
            return bool(outbound(shop, phone_number, after)) or (
                chats.state(shop, phone_number) != state
            )

        if wait and not changed():
            try:
                await graph.wait_until(changed, wait)
            except TimeoutError:
                pass  # nothing new: an answer too
            except asyncio.CancelledError:
                # Only the server's exit cancels a request; a page is nearly always waiting
                # here then. End it quietly instead of a traceback: the page reconnects.
                return {"messages": [], "cursor": after, "written": [], "state": state}
        sent = outbound(shop, phone_number, after)
        return {
            "messages": [record.as_json() for record in sent],
            "cursor": max([after, *(record.seq for record in sent)]),
            "written": chats.written(shop, phone_number),
            "state": chats.state(shop, phone_number),
        }

    @app.post("/_simulator/api/read")
    async def read(seen: Seen) -> dict[str, int]:
        """The page showed these bot messages: the shopper read them."""
        return {"read": await receipts.seen(seen.ids) if receipts else 0}

    @app.get("/_simulator/api/media/{media_id}")
    async def media(media_id: str) -> Response:
        found = graph.media.get(media_id)
        if found is None:
            return Response(status_code=404)
        return Response(content=found[1], media_type=found[0])

    app.mount("/_simulator/static", StaticFiles(directory=STATIC), name="simulator-static")
