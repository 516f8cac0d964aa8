"""Free text from the webhook to the NLU: what the shopper typed is what gets understood.

The NLU client is the real one over an httpx mock transport that records each request, so
the property sees the exact JSON the NLU service would receive.
"""

from __future__ import annotations

import json

import httpx
from hypothesis import example, given

from bot.nlu.client import NluClient
from bot.understanding import from_command, understand
from channels.whatsapp import simulate
from channels.whatsapp.events import TextMessage
from channels.whatsapp.inbound import to_inbound
from channels.whatsapp.parse import parse_webhook
from dialogue.messages import InboundMessage
from tests.property.strategies import any_text


class RecordingNlu:
    """An NLU service that answers every text with one intent and remembers the texts."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["texts"]
        self.texts += texts
        results = [
            {"text": text, "intent": {"name": "search_product", "confidence": 0.9}, "entities": []}
            for text in texts
        ]
        return httpx.Response(200, json={"results": results})


def inbound_for(text: str) -> InboundMessage:
    body = simulate.message_body(
        phone_number_id="100200300400500",
        sender="27821234567",
        message=simulate.text(text),
        message_id="wamid.NLU",
    )
    [event] = parse_webhook(json.loads(json.dumps(body)))
    assert isinstance(event, TextMessage)
    return InboundMessage.model_validate_json(to_inbound(event).model_dump_json())


@given(text=any_text())
@example(text="  '; DROP TABLE products; --  ")
@example(text="<script>document.cookie</script>")
@example(text="\u200bSTOP\u200b")  # not the command: zero-width characters are not spaces
@example(text=" stop ")
@example(text="٣")  # Arabic-Indic three: a bare number in another script
async def test_the_nlu_gets_the_shoppers_text_exactly(text: str) -> None:
    nlu = RecordingNlu()
    async with httpx.AsyncClient(transport=httpx.MockTransport(nlu.handle)) as http:
        found = await understand(inbound_for(text), NluClient("http://nlu", http))
    typed = text.strip()
    if not typed:
        assert (found.trigger, nlu.texts) == ("event_text", [])
    elif from_command(typed) is not None:
        assert (found, nlu.texts) == (from_command(typed), [])
    else:
        # Only the surrounding whitespace goes; everything else arrives as typed.
        assert (found.trigger, found.via_nlu, nlu.texts) == ("search_product", True, [typed])
