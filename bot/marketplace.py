"""Choosing a shop on a marketplace number (one WhatsApp number shared by many shops).

The worker calls `resolve` once per message. On a shop's own number it answers None and the
turn goes on as before. On a marketplace number it either names the chosen shop and the
record to run that shop's turn with, or, while no shop is chosen, gives the replies of the
choosing dialogue (welcome, a list of matches, not found) and the record to save.

The chosen shop's code lives in the record's slots. Choosing a shop starts a fresh record from
`first_state` (consent for a shopper new to that shop): nothing of the previous shop's
conversation is carried over except the shopper's language and the processed message ids.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.directory import Directory, Shop
from bot.marketplace_requests import SHOP_PAYLOAD, Request, read_request
from commerce import marketplace
from commerce.errors import UnknownTenant
from commerce.marketplace import RADIUS_KM, ListedShop
from commerce.shop_codes import is_distinctive
from dialogue.messages import InboundMessage, OutgoingMessage
from dialogue.responses import Responses
from dialogue.state import ConversationState

log = logging.getLogger("wakala.marketplace")

SHOP_SLOT = "marketplace_shop"
# The state of a record with no shop chosen. Not a flow state on purpose: if such a record ever
# reached a shop's turn, the engine fails loudly instead of skipping that shop's consent.
CHOOSING = "marketplace"
GREETING = "/greet"  # what the chosen shop's first turn takes: its consent notice or menu
MIN_NAME = 2  # one letter matches half the directory

FirstState = Callable[[InboundMessage, Shop], Awaitable[ConversationState]]


@dataclass(frozen=True, slots=True)
class Resolution:
    """`shop` None: send `replies`, save `record`, done. Otherwise send `replies` first (the
    "you are now shopping at" notice, or nothing), then take `message` through `shop`'s turn
    with `record`."""

    record: ConversationState
    language: str
    replies: tuple[OutgoingMessage, ...] = ()
    shop: Shop | None = None
    message: InboundMessage | None = None


async def resolve(
    message: InboundMessage,
    record: ConversationState | None,
    *,
    directory: Directory,
    responses: Responses,
    first_state: FirstState,
    radius_km: float = RADIUS_KM,
) -> Resolution | None:
    """None on a shop's own number; see `Resolution` for a marketplace number."""
    market = await directory.marketplace_for(message.recipient_id)
    if market is None:
        return None
    chooser = _Chooser(
        message, record, directory, responses, first_state, market.default_language, radius_km
    )
    current = str(record.slots.get(SHOP_SLOT) or "") if record else ""
    return await chooser.answer(read_request(message, choosing=not current), current)


class _Chooser:
    def __init__(
        self,
        message: InboundMessage,
        record: ConversationState | None,
        directory: Directory,
        responses: Responses,
        first_state: FirstState,
        default_language: str,
        radius_km: float,
    ) -> None:
        self.message = message
        self.record = record
        self.directory = directory
        self.responses = responses
        self.first_state = first_state
        self.language = (record.language if record else None) or default_language
        self.radius_km = radius_km

    async def answer(self, request: Request, current: str) -> Resolution:
        if request.kind == "switch":
            log.info("shop cleared", extra={"event": "marketplace.switch"})
            return self._say("utter_marketplace_welcome")
        if request.kind == "pick":
            return await self._pick(request.codes, current)
        if request.kind == "near":
            return await self._near(request)
        if request.kind == "opt_out":
            return self._choosing(())  # STOP before any shop: nothing to withdraw, say nothing
        if request.kind == "welcome":
            return self._say("utter_marketplace_welcome")
        if request.kind == "text" and not current:
            return await self._search(request)
        if request.kind == "text":
            found = await marketplace.find_code(self.directory.engine, request.codes)
            if found is not None and found.code != current:
                return await self._choose(found.code, current)
        return await self._stay(current)

    async def _pick(self, codes: Sequence[str], current: str) -> Resolution:
        if not codes:
            return self._say("utter_marketplace_not_found", {"query": ""})
        return await self._choose(codes[0], current)

    async def _choose(self, code: str, current: str) -> Resolution:
        try:
            shop = await self.directory.shop_by_code(code)
        except UnknownTenant:
            return self._say("utter_marketplace_not_found", {"query": code})
        if shop.code == current and self.record is not None:
            return self._enter(shop, self.record)  # an old list tapped again: carry on
        fresh = await self.first_state(self.message, shop)
        kept = self.record or ConversationState()
        record = fresh.model_copy(
            update={
                "language": kept.language,
                "language_candidate": kept.language_candidate,
                "language_run": kept.language_run,
                "processed": list(kept.processed),
                "slots": {**fresh.slots, SHOP_SLOT: shop.code},
            }
        )
        log.info("shop chosen", extra={"event": "marketplace.chosen", "shop": shop.code})
        return self._enter(shop, record)

    def _enter(self, shop: Shop, record: ConversationState) -> Resolution:
        language = record.language or shop.default_language
        notice = self.responses.render(
            "utter_marketplace_switched", language, {"shop_name": shop.name, "shop_code": shop.code}
        )
        greeting = self.message.model_copy(
            update={"kind": "choice", "payload": GREETING, "text": None, "location": None}
        )
        return Resolution(record, language, (notice,), shop, greeting)

    async def _stay(self, current: str) -> Resolution:
        assert self.record is not None  # a chosen shop lives in a record
        try:
            shop = await self.directory.shop_by_code(current)
        except UnknownTenant:  # the operator took the shop out of the directory
            log.info("chosen shop left the directory", extra={"event": "marketplace.gone"})
            return self._say("utter_marketplace_welcome")
        language = self.record.language or shop.default_language
        return Resolution(self.record, language, (), shop, self.message)

    async def _search(self, request: Request) -> Resolution:
        engine = self.directory.engine
        found = await marketplace.find_code(engine, request.codes)
        if found is not None:
            return await self._choose(found.code, "")
        name = request.text
        if len(marketplace.squeeze(name)) < MIN_NAME:
            return self._say("utter_marketplace_not_found", {"query": name})
        matches = await marketplace.search_by_name(engine, name)
        if matches:
            return self._list(matches, name)
        if self.record is None and not any(is_distinctive(c) for c in request.codes):
            return self._say("utter_marketplace_welcome")  # a first "hello there": not an error
        return self._say("utter_marketplace_not_found", {"query": name})

    async def _near(self, request: Request) -> Resolution:
        matches = await marketplace.nearest(
            self.directory.engine, request.latitude, request.longitude, radius_km=self.radius_km
        )
        if not matches:
            return self._say(
                "utter_marketplace_not_found",
                {"query": request.text, "radius_km": f"{self.radius_km:g}"},
            )
        return self._list(matches, request.text)

    def _list(self, shops: Sequence[ListedShop], query: str) -> Resolution:
        rows: list[Mapping[str, Any]] = [
            {"id": f"{SHOP_PAYLOAD}:{shop.code}", "title": shop.name, "description": _about(shop)}
            for shop in shops
        ]
        variables = {"query": query, "count": len(shops)}
        reply = self.responses.render("utter_marketplace_matches", self.language, variables, rows)
        return self._choosing((reply,))

    def _say(self, name: str, variables: Mapping[str, Any] | None = None) -> Resolution:
        return self._choosing((self.responses.render(name, self.language, variables or {}),))

    def _choosing(self, replies: tuple[OutgoingMessage, ...]) -> Resolution:
        """No shop: a record with only the language and the processed ids of the last one."""
        kept = self.record or ConversationState()
        record = ConversationState(
            state=CHOOSING,
            language=kept.language,
            language_candidate=kept.language_candidate,
            language_run=kept.language_run,
            processed=list(kept.processed),
        )
        return Resolution(record, self.language, replies)


def _about(shop: ListedShop) -> str:
    """The row's second line: where the shop is and, for a pin, how far."""
    parts = [shop.area] if shop.area else []
    if shop.distance_km is not None:
        km = shop.distance_km
        parts.append(f"{round(km * 1000, -1):.0f} m" if km < 1 else f"{km:.1f} km")
    return " · ".join(parts)
