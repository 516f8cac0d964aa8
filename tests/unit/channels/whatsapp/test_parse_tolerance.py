"""Bad input degrades to UNKNOWN events with a warning; only a non-webhook body raises."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from channels.whatsapp.errors import PayloadError, WhatsAppError
from channels.whatsapp.events import EventKind, UnknownEvent, WebhookEvent
from channels.whatsapp.parse import parse_webhook

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "whatsapp"

Json = dict[str, Any]


def load(name: str) -> Json:
    data: Json = json.loads((FIXTURES / name).read_text())
    return data


@pytest.mark.parametrize(
    "body",
    [[], "entry", None, 42, {}, {"object": "whatsapp_business_account"}, {"entry": {}}],
    ids=repr,
)
def test_a_body_that_is_not_a_webhook_raises_payload_error(body: Any) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_webhook(body)
    assert isinstance(caught.value, WhatsAppError)


def test_an_empty_entry_list_is_no_events() -> None:
    assert parse_webhook({"object": "whatsapp_business_account", "entry": []}) == []


# (fixture, mutation of (value, first message or status), expected raw_type, field named)
Mutation = Callable[[Json, Json], object]
MALFORMED: list[tuple[str, Mutation, str | None, str]] = [
    ("text.json", lambda v, m: m.pop("id"), "text", "message_id"),
    ("text.json", lambda v, m: m.update(timestamp="yesterday"), "text", "timestamp"),
    ("text.json", lambda v, m: m.update(text="Sawubona"), "text", "text"),
    ("text.json", lambda v, m: m.update(text={"body": 42}), "text", "text"),
    ("text.json", lambda v, m: (m.pop("from"), v.pop("contacts")), "text", "sender"),
    ("text.json", lambda v, m: v.pop("metadata"), "text", "phone_number_id"),
    ("text.json", lambda v, m: m.update(context={"referred_product": "X"}), "text",
     "product_retailer_id"),
    ("text.json", lambda v, m: m.update(type=42), None, "type"),
    ("image.json", lambda v, m: m["image"].pop("id"), "image", "media_id"),
    ("location.json", lambda v, m: m["location"].update(latitude="north"), "location", "latitude"),
    ("order.json", lambda v, m: m["order"]["product_items"][0].update(quantity="lots"), "order",
     "quantity"),
    ("order.json", lambda v, m: m["order"]["product_items"].append("MILK"), "order",
     "product_retailer_id"),
    ("reaction.json", lambda v, m: m.update(reaction=[]), "reaction", "reacted_message_id"),
    ("unsupported.json", lambda v, m: m["errors"][0].pop("code"), "unsupported", "code"),
    ("interactive_button_reply.json",
     lambda v, m: m["interactive"].update(type="carousel_reply"),
     "interactive.carousel_reply", "carousel_reply"),
    ("status_read.json", lambda v, s: s.update(status="exploded"), "status", "status"),
    ("status_read.json", lambda v, s: s.pop("recipient_id"), "status", "recipient"),
    ("status_read.json", lambda v, s: s.pop("id"), "status", "message_id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "mutate", "raw_type", "named"), MALFORMED)
def test_malformed_item_becomes_unknown_naming_the_field(
    name: str,
    mutate: Mutation,
    raw_type: str | None,
    named: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = load(name)
    value = body["entry"][0]["changes"][0]["value"]
    mutate(value, (value.get("messages") or value.get("statuses"))[0])
    with caplog.at_level(logging.WARNING, logger="wakala.whatsapp"):
        (event,) = parse_webhook(body)
    assert isinstance(event, UnknownEvent)
    assert event.raw_type == raw_type
    assert named in event.reason
    assert "Sawubona" not in event.reason  # user text stays out of logs
    assert [(r.name, getattr(r, "kind", "-")) for r in caplog.records] == [
        ("wakala.whatsapp", raw_type)
    ]


@pytest.mark.parametrize(
    "entry",
    [
        42,
        {"id": "1"},
        {"changes": {}},
        {"changes": [42]},
        {"changes": [{"field": "messages", "value": []}]},
        {"changes": [{"field": "messages", "value": {"messages": {}}}]},
        {"changes": [{"field": "messages", "value": {"metadata": {}}}]},
        {"changes": [{"field": "messages", "value": {"errors": [{"title": "no code"}]}}]},
        {"changes": [{"value": {"messages": []}}]},
    ],
    ids=repr,
)
def test_malformed_structure_becomes_one_unknown(entry: Any) -> None:
    events = parse_webhook({"entry": [entry]})
    assert [event.kind for event in events] == [EventKind.UNKNOWN]


def test_a_bad_message_does_not_take_its_neighbours_down() -> None:
    body = load("batch_entries_changes_messages.json")
    body["entry"][0]["changes"][0]["value"]["messages"][1]["timestamp"] = "soon"
    kinds = [event.kind for event in parse_webhook(body)]
    assert kinds == [
        EventKind.TEXT,
        EventKind.UNKNOWN,
        EventKind.REACTION,
        EventKind.STATUS,
        EventKind.TEXT,
        EventKind.IGNORED,
    ]


WRONG_VALUES: list[Any] = [None, 42, -1.5, True, "x", "", [], {}, [42], {"id": 42}]


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every key/index path below `node`."""
    if isinstance(node, dict):
        children: Iterator[tuple[str | int, Any]] = iter(node.items())
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return
    for key, child in children:
        yield (*path, key)
        yield from _paths(child, (*path, key))


def _replaced(body: Json, path: tuple[str | int, ...], new: Any) -> Json:
    mutated = copy.deepcopy(body)
    node: Any = mutated
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return mutated


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_any_wrong_type_anywhere_inside_an_entry_never_raises(name: str) -> None:
    """Hypothesis-style sweep: every node under `entry` swapped for every wrong-typed value."""
    body = load(name)
    adapter = TypeAdapter(list[WebhookEvent])
    logging.getLogger("wakala.whatsapp").disabled = True  # thousands of expected warnings
    try:
        for path in _paths(body["entry"], ("entry",)):
            for new in WRONG_VALUES:
                events = parse_webhook(_replaced(body, path, new))
                assert events or new == [], (path, new)  # only "no changes" may be empty
                adapter.validate_python(events)  # each one is a well-formed event
    finally:
        logging.getLogger("wakala.whatsapp").disabled = False
