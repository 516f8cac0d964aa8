"""parse_webhook on our own bodies: statuses, value errors, ignored and unknown fields, batches."""

from __future__ import annotations

import logging

import pytest

from channels.whatsapp.events import (
    ErrorEvent,
    IgnoredEvent,
    MessageEvent,
    StatusEvent,
    UnknownEvent,
)
from channels.whatsapp.parse import parse_webhook
from tests.unit.channels.whatsapp.bodies import load, parse_one


@pytest.mark.parametrize(
    ("name", "status", "timestamp", "callback"),
    [
        ("status_sent.json", "sent", 1767261610, "order:1042"),
        ("status_delivered.json", "delivered", 1767261620, None),
        ("status_read.json", "read", 1767261630, None),
        ("status_played.json", "played", 1767261640, None),
        ("status_failed.json", "failed", 1767261650, None),
    ],
)
def test_statuses(name: str, status: str, timestamp: int, callback: str | None) -> None:
    event = parse_one(name, StatusEvent)
    assert (event.status, event.timestamp, event.recipient_key) == (
        status,
        timestamp,
        "27821234567",
    )
    assert event.message_id.startswith("wamid.WAKALAOUT")
    assert event.biz_opaque_callback_data == callback


def test_status_conversation_and_pricing() -> None:
    event = parse_one("status_sent.json", StatusEvent)
    assert event.conversation is not None
    assert event.pricing is not None
    assert (event.conversation.id, event.conversation.origin_type) == ("c0a8wakala0001", "service")
    assert event.conversation.expiration_timestamp == 1767348000
    assert (event.pricing.billable, event.pricing.pricing_model) == (True, "PMP")
    assert (event.pricing.category, event.pricing.type) == ("service", "free_customer_service")
    assert parse_one("status_read.json", StatusEvent).conversation is None


def test_failed_status_errors() -> None:
    (error,) = parse_one("status_failed.json", StatusEvent).errors
    assert (error.code, error.title) == (131047, "Re-engagement message")
    assert error.details is not None
    assert "24 hours" in error.details


def test_status_for_recipient_known_only_by_user_id() -> None:
    event = parse_one("status_bsuid_recipient_user_id.json", StatusEvent)
    assert (event.recipient_id, event.recipient_key) == (None, "ZA.1000000000000000001")


def test_value_level_errors() -> None:
    event = parse_one("value_errors.json", ErrorEvent)
    assert event.phone_number_id == "100200300400500"
    assert [(e.code, e.details) for e in event.errors] == [
        (131000, "Unknown error. Please retry later.")
    ]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("field_template_status_update.json", "message_template_status_update"),
        ("field_user_preferences.json", "user_preferences"),
    ],
)
def test_non_message_fields_are_ignored(
    name: str, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="wakala.whatsapp"):
        event = parse_one(name, IgnoredEvent)
    assert (event.field, event.business_account_id) == (field, "500400300200100")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("name", "field", "raw_type"),
    [
        ("unknown_message_type.json", "messages", "hologram"),
        ("unknown_field.json", "shop_hologram_update", None),
    ],
)
def test_unknown_kinds_warn_with_kind_and_field(
    name: str, field: str, raw_type: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="wakala.whatsapp"):
        event = parse_one(name, UnknownEvent)
    assert (event.field, event.raw_type) == (field, raw_type)
    assert [(getattr(r, "kind", "-"), getattr(r, "field", "-")) for r in caplog.records] == [
        (raw_type, field)
    ]


def test_unknown_message_type_keeps_the_sender_so_the_bot_can_answer() -> None:
    event = parse_one("unknown_message_type.json", UnknownEvent)
    assert event.sender is not None
    assert event.sender.key == "27821234567"
    assert (event.message_id, event.phone_number_id) == ("wamid.WAKALA0035", "100200300400500")


def test_batch_keeps_body_order_and_each_change_metadata() -> None:
    events = parse_webhook(load("batch_entries_changes_messages.json"))
    messages = [e for e in events if isinstance(e, MessageEvent)]
    assert [(e.message_id, e.sender.key, e.phone_number_id) for e in messages] == [
        ("wamid.WAKALA0036", "27821234567", "100200300400500"),
        ("wamid.WAKALA0037", "27731234567", "100200300400500"),
        ("wamid.WAKALA0038", "27821234567", "100200300400500"),
        ("wamid.WAKALA0039", "27821234567", "100200300400599"),
    ]
    assert [e.sender.name for e in messages[:2]] == ["Thandiwe Nkosi", "Lerato Mokoena"]
    assert isinstance(events[3], StatusEvent)
    assert events[3].message_id == "wamid.WAKALAOUT0014"
    assert isinstance(events[5], IgnoredEvent)
    assert events[5].business_account_id == "500400300200199"
