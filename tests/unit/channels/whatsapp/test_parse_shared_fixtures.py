"""parse_webhook on the real-world bodies in ../shared/fixtures/whatsapp (beside the repo).

That folder is shared by the team and not part of the repo, so these tests skip where it is
absent; the project's own fixtures (test_parse.py) cover the same kinds everywhere.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from channels.whatsapp.events import (
    EventKind,
    FlowReply,
    OrderMessage,
    StatusEvent,
    SystemMessage,
    TemplateButtonReply,
    TextMessage,
    WebhookEvent,
)
from channels.whatsapp.parse import parse_webhook

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED = REPO_ROOT.parent / "shared" / "fixtures" / "whatsapp"
K = EventKind

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")

EXPECTED_KINDS: dict[str, list[EventKind]] = {
    "audio.json": [K.AUDIO],
    "audio_voice.json": [K.VOICE],
    "button_template_reply.json": [K.TEMPLATE_BUTTON],
    "button_template_reply_no_context.json": [K.TEMPLATE_BUTTON],
    "contacts.json": [K.CONTACTS],
    "document.json": [K.DOCUMENT],
    "image.json": [K.IMAGE],
    "image_with_url.json": [K.IMAGE],
    "interactive_button_reply.json": [K.BUTTON_REPLY],
    "interactive_list_reply.json": [K.LIST_REPLY],
    "interactive_list_reply_with_description.json": [K.LIST_REPLY],
    "interactive_nfm_reply_flow.json": [K.FLOW_REPLY],
    "location.json": [K.LOCATION],
    "location_named_place.json": [K.LOCATION],
    "multiple_changes_two_texts.json": [K.TEXT, K.TEXT],
    "multiple_messages_batch.json": [K.TEXT, K.REACTION],
    "non_messages_field_template_status_update.json": [K.IGNORED],
    "order.json": [K.ORDER],
    "product_inquiry.json": [K.TEXT],
    "reaction.json": [K.REACTION],
    "reaction_removed_empty_emoji.json": [K.REACTION],
    "reaction_removed_no_emoji.json": [K.REACTION],
    "referral.json": [K.TEXT],
    "request_welcome.json": [K.REQUEST_WELCOME],
    "revoke_deleted_message.json": [K.REVOKE],
    "status_delivered.json": [K.STATUS],
    "status_delivered_bsuid_v25.json": [K.STATUS],
    "status_failed.json": [K.STATUS],
    "status_failed_131047_reengagement_COMPOSITE.json": [K.STATUS],
    "status_failed_code_title_only.json": [K.STATUS],
    "status_played.json": [K.STATUS],
    "status_read.json": [K.STATUS],
    "status_read_bsuid_v25.json": [K.STATUS],
    "status_sent.json": [K.STATUS],
    "status_sent_biz_opaque_callback_data.json": [K.STATUS],
    "status_sent_pmp_bsuid_v25.json": [K.STATUS],
    "sticker.json": [K.STICKER],
    "sticker_animated.json": [K.STICKER],
    "system.json": [K.SYSTEM],
    "system_identity_changed.json": [K.SYSTEM],
    "system_new_wa_id_variant.json": [K.SYSTEM],
    "text.json": [K.TEXT],
    "text_forwarded.json": [K.TEXT],
    "text_frequently_forwarded.json": [K.TEXT],
    "text_real_capture_2022.json": [K.TEXT],
    "text_reply_context.json": [K.TEXT],
    "unsupported.json": [K.UNSUPPORTED],
    "unsupported_with_type.json": [K.UNSUPPORTED],
    "video.json": [K.VIDEO],
}


def parse(name: str) -> list[WebhookEvent]:
    body: dict[str, Any] = json.loads((SHARED / name).read_text())
    return parse_webhook(body)


def test_every_shared_body_has_expected_kinds() -> None:
    """A new shared file must be added to EXPECTED_KINDS, so none goes untested."""
    assert sorted(p.name for p in SHARED.glob("*.json")) == sorted(EXPECTED_KINDS)


@pytest.mark.parametrize(("name", "kinds"), EXPECTED_KINDS.items())
def test_shared_body_parses_to_expected_kinds(name: str, kinds: list[EventKind]) -> None:
    assert [event.kind for event in parse(name)] == kinds


def test_real_capture() -> None:
    (event,) = parse("text_real_capture_2022.json")
    assert isinstance(event, TextMessage)
    assert (event.text, event.sender.key, event.timestamp) == ("Hi", "255757294146", 1653048643)
    assert event.message_id.startswith("wamid.HBgM")


def test_flow_reply_response_json_string() -> None:
    (event,) = parse("interactive_nfm_reply_flow.json")
    assert isinstance(event, FlowReply)
    assert event.flow_token == "AQAAAAACS5FpgQ_cAAAAAD0QI3s."
    assert event.response["delivery_rating"] == "4"


def test_order_numbers() -> None:
    (event,) = parse("order.json")
    assert isinstance(event, OrderMessage)
    assert [(i.quantity, i.item_price) for i in event.items] == [
        (3, Decimal(30)),
        (2, Decimal(35)),
        (2, Decimal(10)),
    ]
    assert event.text is None  # "" in the body


@pytest.mark.parametrize(
    ("name", "new_wa_id"),
    [("system.json", "972912345678"), ("system_new_wa_id_variant.json", "15550003333")],
)
def test_number_change_variants(name: str, new_wa_id: str) -> None:
    (event,) = parse(name)
    assert isinstance(event, SystemMessage)
    assert event.new_wa_id == new_wa_id


def test_v25_status_with_business_scoped_user_ids() -> None:
    (event,) = parse("status_sent_pmp_bsuid_v25.json")
    assert isinstance(event, StatusEvent)
    assert (event.recipient_key, event.recipient_user_id) == (
        "16315551181",
        "US.13491208655302741918",
    )
    assert event.conversation is not None
    assert event.conversation.expiration_timestamp == 1504903988  # a string in the body
    assert event.pricing is not None
    assert (event.pricing.pricing_model, event.pricing.type) == ("PMP", "regular")


def test_button_reply_with_from_user_id_matches_contact() -> None:
    (event,) = parse("button_template_reply_no_context.json")
    assert isinstance(event, TemplateButtonReply)
    assert (event.payload, event.text) == ("callback_data", "title")
    sender = event.sender
    assert (sender.wa_id, sender.user_id, sender.name) == (
        "972987654321",
        "US.13491208655302741918",
        "Test Name",
    )
