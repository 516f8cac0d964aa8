"""Properties of the webhook parser on real bodies gone wrong and on hostile free text.

The parser's contract (channels/whatsapp/parse.py): a body that is not a webhook raises
`PayloadError`; anything else parses, unknown kinds becoming `UnknownEvent`s; every message
yields one event, in body order, with its id. Text reaches the dialogue exactly as typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from channels.whatsapp import simulate
from channels.whatsapp.errors import PayloadError
from channels.whatsapp.events import (
    InteractiveReply,
    MessageEvent,
    TextMessage,
    UnknownEvent,
    WebhookEvent,
)
from channels.whatsapp.inbound import to_inbound
from channels.whatsapp.parse import parse_webhook
from dialogue.messages import InboundMessage
from tests.property.strategies import (
    FIXTURE_BODIES,
    any_text,
    hostile_text,
    json_values,
    mutated_body,
)

EVENTS: TypeAdapter[WebhookEvent] = TypeAdapter(WebhookEvent)
NUMBER = "100200300400500"


def is_webhook(body: object) -> bool:
    return isinstance(body, Mapping) and isinstance(body.get("entry"), list)


def as_map(raw: object) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


NO_CHANGES = object()


def changes_of(body: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(entry, change) for every change of every entry, in body order; an entry without a
    changes list counts once, with NO_CHANGES."""
    found: list[tuple[Any, Any]] = []
    for entry in body["entry"]:
        changes = as_map(entry).get("changes")
        if isinstance(changes, list):
            found += [(entry, change) for change in changes]
        else:
            found.append((entry, NO_CHANGES))
    return found


def one_change_body(entry: Any, change: Any) -> dict[str, Any]:
    """The body Meta would have sent with only this change of the entry."""
    if change is NO_CHANGES:
        return {"object": "whatsapp_business_account", "entry": [entry]}
    return {"object": "whatsapp_business_account", "entry": [{**entry, "changes": [change]}]}


def message_items(change: Any) -> list[Any]:
    """The messages[] items of a messages change (what must each become one event)."""
    change = as_map(change)
    value = change.get("value")
    if change.get("field") != "messages" or not isinstance(value, Mapping):
        return []
    messages = value.get("messages", [])
    return list(messages) if isinstance(messages, list) else []


def bus_round_trip(inbound: InboundMessage) -> InboundMessage:
    """What the worker reads back from the queue the gateway published to."""
    return InboundMessage.model_validate_json(inbound.model_dump_json())


# --- any body ----------------------------------------------------------------------------------


@given(body=st.one_of(mutated_body(), json_values()))
def test_only_a_body_that_is_not_a_webhook_raises_and_only_payload_error(body: Any) -> None:
    if not is_webhook(body):
        with pytest.raises(PayloadError):
            parse_webhook(body)
        return
    events = parse_webhook(body)
    for event in events:
        # Each event is a well-formed value of the union the gateway routes on.
        assert EVENTS.validate_python(event) is event


def check_one_event_per_message(body: Any) -> list[WebhookEvent]:
    """Assert that every messages[] item became exactly one event, in body order, with its id
    (a MessageEvent, or an UnknownEvent holding the item); return the message events."""
    events = parse_webhook(body)
    found = changes_of(body)
    per_change = [parse_webhook(one_change_body(*where)) for where in found]
    # A body is the sum of its changes: nothing is lost or doubled between them.
    assert events == [event for part in per_change for event in part]
    standing: list[WebhookEvent] = []
    for (_, change), part in zip(found, per_change, strict=True):
        items = message_items(change)
        assert len(part) >= len(items)
        for item, event in zip(items, part, strict=False):
            assert isinstance(event, MessageEvent | UnknownEvent), (item, event)
            if isinstance(event, MessageEvent):
                assert event.message_id == item["id"]
            else:
                assert event.raw == item
                message_id = as_map(item).get("id")
                assert event.message_id == (message_id if isinstance(message_id, str) else None)
            standing.append(event)
        # Only messages become message events: statuses and errors come after them.
        assert not any(isinstance(event, MessageEvent) for event in part[len(items) :])
    return standing


@given(body=mutated_body())
def test_every_message_yields_exactly_one_event_in_order_with_its_id(body: Any) -> None:
    if is_webhook(body):
        check_one_event_per_message(body)


@pytest.mark.parametrize("name", sorted(FIXTURE_BODIES))
def test_every_real_body_keeps_every_message_and_its_id(name: str) -> None:
    standing = check_one_event_per_message(FIXTURE_BODIES[name])
    unknown = [event for event in standing if isinstance(event, UnknownEvent)]
    assert len(unknown) == (name == "unknown_message_type.json")


@given(body=mutated_body())
def test_every_message_event_reaches_the_worker_unchanged(body: Any) -> None:
    """The gateway publishes `to_inbound(event)` as JSON; the worker must read back the same."""
    if not is_webhook(body):
        return
    for event in parse_webhook(body):
        if isinstance(event, MessageEvent):
            inbound = to_inbound(event)
            assert bus_round_trip(inbound) == inbound
            assert inbound.message_id == event.message_id


# --- a batch of well-formed messages -----------------------------------------------------------


@st.composite
def text_batches(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A body with several entries and changes, each with several text messages; and the
    (id, text) of every message in body order."""
    sent: list[tuple[str, str]] = []
    entries = []
    for e in range(draw(st.integers(1, 3))):
        changes = []
        for c in range(draw(st.integers(1, 2))):
            messages = []
            for m in range(draw(st.integers(0, 3))):
                message_id = f"wamid.{e}.{c}.{m}.{draw(hostile_text(max_size=2))}"
                text = draw(any_text())
                sent.append((message_id, text))
                messages.append(
                    {
                        "from": draw(st.sampled_from(["27820000001", "27820000002"])),
                        "id": message_id,
                        "timestamp": "1767261600",
                        **simulate.text(text),
                    }
                )
            value = {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "27110000000", "phone_number_id": NUMBER},
                "messages": messages,
            }
            changes.append({"field": "messages", "value": value})
        entries.append({"id": str(e), "changes": changes})
    return {"object": "whatsapp_business_account", "entry": entries}, sent


@given(batch=text_batches(), ascii_only=st.booleans())
def test_a_batch_yields_one_text_event_per_message_in_order(
    batch: tuple[dict[str, Any], list[tuple[str, str]]], ascii_only: bool
) -> None:
    body, sent = batch
    # Meta escapes non-ASCII as \uXXXX; other senders may not: both are the same JSON.
    events = parse_webhook(json.loads(json.dumps(body, ensure_ascii=ascii_only)))
    assert [(e.message_id, e.text) for e in events if isinstance(e, TextMessage)] == sent
    # Anything else stands for a change with no messages at all (one UnknownEvent each).
    empty = sum(not change["value"]["messages"] for _, change in changes_of(body))
    assert [type(e) for e in events if not isinstance(e, TextMessage)] == [UnknownEvent] * empty


# --- free text to the dialogue -----------------------------------------------------------------


def text_body(text: str, message_id: str = "wamid.PROP") -> dict[str, Any]:
    return simulate.message_body(
        phone_number_id=NUMBER,
        sender="27821234567",
        message=simulate.text(text),
        message_id=message_id,
        timestamp=1767261600,
    )


@given(text=any_text(), ascii_only=st.booleans())
@example(text="'; DROP TABLE products; --", ascii_only=True)
@example(text="<script>alert('x')</script>", ascii_only=False)
@example(text="👩‍👩‍👧‍👦🇿🇦🏳️‍🌈👍🏽 " * 700, ascii_only=True)
@example(text="\u200b\u200d\ufeff", ascii_only=True)
@example(text="\x00\x1b[2J", ascii_only=False)
def test_text_reaches_the_dialogue_exactly(text: str, ascii_only: bool) -> None:
    raw = json.dumps(text_body(text), ensure_ascii=ascii_only).encode()
    [event] = parse_webhook(json.loads(raw))
    assert isinstance(event, TextMessage)
    assert event.text == text
    inbound = bus_round_trip(to_inbound(event))
    assert (inbound.kind, inbound.text, inbound.message_id) == ("text", text, "wamid.PROP")


@given(reply_id=hostile_text(min_size=1), title=hostile_text(), as_list=st.booleans())
@example(reply_id="product:1'; DROP TABLE products; --", title="<b>Bread</b>", as_list=True)
def test_a_tapped_button_or_row_reaches_the_dialogue_exactly(
    reply_id: str, title: str, as_list: bool
) -> None:
    reply = (simulate.list_reply if as_list else simulate.button_reply)(reply_id, title)
    body = simulate.message_body(
        phone_number_id=NUMBER, sender="27821234567", message=reply, message_id="wamid.TAP"
    )
    [event] = parse_webhook(json.loads(json.dumps(body)))
    assert isinstance(event, InteractiveReply)
    inbound = bus_round_trip(to_inbound(event))
    assert (inbound.kind, inbound.payload, inbound.text) == ("choice", reply_id, title)
