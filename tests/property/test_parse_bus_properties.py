"""Properties of the parser and the gateway's bus message: whatever JSON Meta may send, an
accepted message can be written to the bus and read back by the worker, or it is an
UnknownEvent (never a 200 for a message the worker cannot read, never a 500).
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from channels.whatsapp import simulate
from channels.whatsapp.events import LocationMessage, MessageEvent, UnknownEvent
from channels.whatsapp.inbound import to_inbound
from channels.whatsapp.parse import parse_webhook
from dialogue.messages import InboundMessage
from tests.property.strategies import hostile_text

NUMBER = "100200300400500"


def bus_round_trip(inbound: InboundMessage) -> InboundMessage:
    return InboundMessage.model_validate_json(inbound.model_dump_json())


@given(
    latitude=st.floats(allow_nan=False),
    longitude=st.floats(allow_nan=False),
    name=st.none() | hostile_text(),
)
@example(latitude=math.inf, longitude=28.04, name=None)  # JSON `1e400` parses to inf
def test_a_location_reaches_the_worker_or_is_unknown(
    latitude: float, longitude: float, name: str | None
) -> None:
    """Any JSON number (1e400 is valid JSON, and Python reads it as inf) either makes a
    location the worker can read back, or an UnknownEvent.

    (Found by this test: inf was written as `null` on the bus, which the worker refused.)
    """
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        location["name"] = name
    body = simulate.message_body(
        phone_number_id=NUMBER,
        sender="27821234567",
        message={"type": "location", "location": location},
        message_id="wamid.WHERE",
    )
    [event] = parse_webhook(json.loads(json.dumps(body)))
    if isinstance(event, LocationMessage):
        inbound = to_inbound(event)
        assert bus_round_trip(inbound) == inbound
    else:
        assert isinstance(event, UnknownEvent)


@given(
    before=hostile_text(max_size=3),
    surrogate=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    after=hostile_text(max_size=3),
)
@example(before="Ngiyabonga ", surrogate="\ud83d", after="")  # half of 😊, as \ud83d in JSON
def test_a_lone_surrogate_escape_in_text_never_breaks_the_bus(
    before: str, surrogate: str, after: str
) -> None:
    """`"\\ud83d"` is valid JSON (a truncated emoji, as a client cutting UTF-16 sends it) and
    Python decodes it to a lone surrogate. The message must reach the worker (say with U+FFFD
    in its place) or be an UnknownEvent.

    (Found by this test: `model_dump_json()` raised inside `Gateway.accept`, a 500 that Meta
    retries for days.)
    """
    text = before + surrogate + after
    raw = json.dumps(
        simulate.message_body(
            phone_number_id=NUMBER,
            sender="27821234567",
            message=simulate.text(text),
            message_id="wamid.HALF",
        ),
        ensure_ascii=True,
    )
    for event in parse_webhook(json.loads(raw)):
        if isinstance(event, MessageEvent):
            inbound = to_inbound(event)
            assert bus_round_trip(inbound).message_id == "wamid.HALF"
