"""From an inbound message to a trigger for the dialogue engine.

Taps on our own buttons and list rows carry the trigger in their id, and exact commands (STOP,
START, a bare number) are recognised here: neither costs an NLU call. Free text goes to the
NLU, and a product it names is decided against the shop's own catalogue.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.nlu.catalog_matcher import CatalogMatcher
from bot.nlu.client import NluClient, Parse
from bot.observability import metrics
from bot.observability.tracing import tracer
from dialogue.messages import InboundMessage

# Exact commands, compared after trimming and case-folding. Opt-out words must work at once,
# in every language, without the NLU (POPIA; and what shoppers already type elsewhere).
COMMANDS = {
    "stop": "opt_out",
    "unsubscribe": "opt_out",
    "start": "opt_in",
    "help": "help",
    "menu": "greet",
    "restart": "restart",
}
# Row and button ids we send, `kind:value`: the trigger and the entity the value fills.
PAYLOADS: dict[str, tuple[str, str]] = {
    "product": ("product_info", "product_id"),
    "add": ("add_to_cart", "product_id"),
    "remove": ("remove_from_cart", "product_id"),
    "category": ("choose_category", "category_id"),
    "order": ("order_details", "order_number"),
    "ready": ("order_ready", "order_number"),
    "out": ("order_out_for_delivery", "order_number"),
    "delivered": ("order_delivered", "order_number"),
    "resume": ("resume_customer", "customer"),
}
# Intents where the product the shopper names matters; elsewhere a catalogue word is noise.
PRODUCT_INTENTS = frozenset(
    {
        "add_to_cart",
        "remove_from_cart",
        "search_product",
        "product_info",
        "ask_price",
        "set_price",
        "set_stock",
        "stock_query",
    }
)
_NUMBER = re.compile(r"^\s*(\d{1,4})\s*x?\s*$", re.IGNORECASE)

MatcherFor = Callable[[], Awaitable[CatalogMatcher]]


@dataclass(frozen=True, slots=True)
class Understanding:
    trigger: str
    confidence: float = 1.0
    language: str | None = None
    language_confidence: float = 0.0
    entities: dict[str, Any] = field(default_factory=dict)
    ranking: tuple[tuple[str, float], ...] = ()
    via_nlu: bool = False


def from_payload(payload: str) -> Understanding:
    """`/intent` or `/intent{"entity": value}` (Rasa's button convention), or `kind:value`."""
    if payload.startswith("/"):
        name, brace, rest = payload[1:].partition("{")
        entities: dict[str, Any] = {}
        if brace:
            try:
                decoded = json.loads("{" + rest)
            except ValueError:
                decoded = {}
            entities = decoded if isinstance(decoded, dict) else {}
        return Understanding(trigger=name or "out_of_scope", entities=entities)
    kind, _, value = payload.partition(":")
    if kind in PAYLOADS and value:
        trigger, entity = PAYLOADS[kind]
        entities = {entity: value}
        if kind == "add":
            entities["quantity"] = 1  # the product's "Add" button adds one
        return Understanding(trigger=trigger, entities=entities)
    return Understanding(trigger="out_of_scope")


def from_command(text: str) -> Understanding | None:
    command = COMMANDS.get(text.strip().casefold())
    if command:
        return Understanding(trigger=command)
    number = _NUMBER.match(text)
    if number and int(number.group(1)) > 0:
        return Understanding(trigger="number", entities={"quantity": int(number.group(1))})
    return None


async def understand(
    message: InboundMessage, nlu: NluClient, matcher: MatcherFor | None = None
) -> Understanding:
    if message.kind == "choice" and message.payload:
        return from_payload(message.payload)
    if message.kind == "media":
        # event_voice, event_audio, event_image, ...: flows decide what each kind gets.
        return Understanding(trigger=f"event_{message.media_type or 'media'}")
    if message.kind == "location" and message.location is not None:
        where = message.location
        address = where.address or where.name or f"{where.latitude:.5f},{where.longitude:.5f}"
        return Understanding(trigger="event_location", entities={"address": address})
    if message.kind != "text" or not (message.text or "").strip():
        return Understanding(trigger=f"event_{message.kind}")
    text = (message.text or "").strip()
    command = from_command(text)
    if command is not None:
        return command
    started = time.perf_counter()
    with tracer().start_as_current_span("nlu.parse"):
        [parsed] = await nlu.parse([text])
    metrics.NLU_SECONDS.observe(time.perf_counter() - started)
    metrics.NLU_BATCH.observe(1)
    entities = _entities(parsed)
    if matcher is not None and parsed.intent in PRODUCT_INTENTS:
        found = (await matcher()).match_parse(parsed).best
        if found is not None:
            entities["product_id"] = str(found.product_id)
    return Understanding(
        trigger=parsed.intent,
        confidence=parsed.confidence,
        language=parsed.language,
        language_confidence=parsed.language_confidence,
        entities=entities,
        ranking=parsed.ranking,
        via_nlu=True,
    )


def _entities(parsed: Parse) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entity in parsed.entities:
        found.setdefault(str(entity.get("entity")), entity.get("value"))
    return found
