"""What the shopper wrote in each conversation, kept so the page can show it again after a
reload and tick it: delivered once the gateway took it, read once the bot sent its read
receipt to the Graph API fake (the blue ticks a shopper sees on WhatsApp)."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Any, Literal

from bot.simulator.graph_fake import GraphFake

Delivery = Literal["delivered", "failed"]
KEPT_PER_CHAT = 500  # a development tool: enough for any session, bounded all the same


@dataclass(frozen=True, slots=True)
class Written:
    id: str  # the wamid the webhook carried
    at: float
    kind: str
    content: dict[str, Any]  # what the page needs to draw the bubble again
    delivery: Delivery
    gateway_status: int
    context: str | None = None  # the bot message it answers

    def as_json(self, read: bool) -> dict[str, Any]:
        status = "read" if read and self.delivery == "delivered" else self.delivery
        return {
            "id": self.id,
            "at": self.at,
            "kind": self.kind,
            "content": self.content,
            "status": status,
            "gateway_status": self.gateway_status,
            "context": self.context,
        }


class Chats:
    def __init__(self, graph: GraphFake) -> None:
        self.graph = graph
        self._chats: dict[tuple[str, str], collections.deque[Written]] = {}

    def add(self, shop: str, phone: str, written: Written) -> None:
        chat = self._chats.setdefault((shop, phone), collections.deque(maxlen=KEPT_PER_CHAT))
        chat.append(written)

    def written(self, shop: str, phone: str) -> list[dict[str, Any]]:
        read = self._read_ids(shop)
        return [w.as_json(w.id in read) for w in self._chats.get((shop, phone), ())]

    def state(self, shop: str, phone: str) -> str:
        """Changes whenever what `written` returns changes: the page long-polls on it."""
        chat = self._chats.get((shop, phone), ())
        read = self._read_ids(shop)
        last = chat[-1].id if chat else ""
        return f"{last}.{sum(1 for w in chat if w.id in read)}"

    def _read_ids(self, shop: str) -> set[str]:
        return {r.message_id for r in self.graph.reads if r.phone_number_id == shop}
