"""parse_webhook on the project's own webhook bodies: every kind, with its parsed values."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from channels.whatsapp.events import (
    ContactsMessage,
    EditMessage,
    EventKind,
    FlowReply,
    InteractiveReply,
    LocationMessage,
    MediaMessage,
    MessageEvent,
    OrderMessage,
    ReactionMessage,
    RevokeMessage,
    SystemMessage,
    TemplateButtonReply,
    TextMessage,
    UnsupportedMessage,
    WebhookEvent,
    WelcomeRequest,
)
from channels.whatsapp.parse import parse_webhook
from tests.unit.channels.whatsapp.bodies import FIXTURES, load, parse_one

K = EventKind

# Every fixture file and the kinds its events must have, in body order.
EXPECTED_KINDS: dict[str, list[EventKind]] = {
    "audio.json": [K.AUDIO],
    "audio_voice.json": [K.VOICE],
    "batch_entries_changes_messages.json": [
        K.TEXT,
        K.TEXT,
        K.REACTION,
        K.STATUS,
        K.TEXT,
        K.IGNORED,
    ],
    "bsuid_user_id_only.json": [K.TEXT],
    "button_template_reply.json": [K.TEMPLATE_BUTTON],
    "contacts.json": [K.CONTACTS],
    "document.json": [K.DOCUMENT],
    "edit.json": [K.EDIT],
    "field_template_status_update.json": [K.IGNORED],
    "field_user_preferences.json": [K.IGNORED],
    "image.json": [K.IMAGE],
    "interactive_button_reply.json": [K.BUTTON_REPLY],
    "interactive_list_reply.json": [K.LIST_REPLY],
    "interactive_nfm_reply.json": [K.FLOW_REPLY],
    "interactive_nfm_reply_bad_json.json": [K.FLOW_REPLY],
    "location.json": [K.LOCATION],
    "location_named_place.json": [K.LOCATION],
    "order.json": [K.ORDER],
    "product_inquiry.json": [K.TEXT],
    "reaction.json": [K.REACTION],
    "reaction_removed_empty_emoji.json": [K.REACTION],
    "reaction_removed_no_emoji.json": [K.REACTION],
    "referral.json": [K.TEXT],
    "request_welcome.json": [K.REQUEST_WELCOME],
    "revoke.json": [K.REVOKE],
    "status_bsuid_recipient_user_id.json": [K.STATUS],
    "status_delivered.json": [K.STATUS],
    "status_failed.json": [K.STATUS],
    "status_played.json": [K.STATUS],
    "status_read.json": [K.STATUS],
    "status_sent.json": [K.STATUS],
    "sticker.json": [K.STICKER],
    "sticker_animated.json": [K.STICKER],
    "system_identity_changed.json": [K.SYSTEM],
    "system_new_wa_id.json": [K.SYSTEM],
    "system_number_changed.json": [K.SYSTEM],
    "text.json": [K.TEXT],
    "text_forwarded.json": [K.TEXT],
    "text_frequently_forwarded.json": [K.TEXT],
    "text_reply_context.json": [K.TEXT],
    "text_sesotho_int_timestamp.json": [K.TEXT],
    "unknown_field.json": [K.UNKNOWN],
    "unknown_message_type.json": [K.UNKNOWN],
    "unsupported.json": [K.UNSUPPORTED],
    "value_errors.json": [K.ERROR],
    "video.json": [K.VIDEO],
}


def test_every_fixture_file_has_expected_kinds() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == sorted(EXPECTED_KINDS)


@pytest.mark.parametrize(("name", "kinds"), EXPECTED_KINDS.items())
def test_fixture_parses_to_expected_kinds(name: str, kinds: list[EventKind]) -> None:
    assert [event.kind for event in parse_webhook(load(name))] == kinds


@pytest.mark.parametrize("name", EXPECTED_KINDS)
def test_events_survive_a_trip_over_the_bus(name: str) -> None:
    adapter = TypeAdapter(list[WebhookEvent])
    events = parse_webhook(load(name))
    assert adapter.validate_json(adapter.dump_json(events)) == events


def test_text_message_carries_envelope_and_sender() -> None:
    event = parse_one("text.json", TextMessage)
    assert event.text == "Sawubona, ngicela izinkwa ezimbili"
    assert event.phone_number_id == "100200300400500"
    assert event.display_phone_number == "27110001234"
    assert event.message_id == "wamid.WAKALA0001"
    assert event.timestamp == 1767261600
    assert event.sender.key == "27821234567"
    assert event.sender.name == "Thandiwe Nkosi"
    assert (event.context, event.referral, event.errors) == (None, None, ())


def test_events_are_immutable() -> None:
    event = parse_one("text.json", TextMessage)
    with pytest.raises(ValidationError):
        event.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "timestamp"),
    [
        ("text.json", 1767261600),  # sent as a string, as Meta does
        ("text_sesotho_int_timestamp.json", 1767261660),  # sent as a number
    ],
)
def test_timestamp_is_int_seconds_from_str_or_int(name: str, timestamp: int) -> None:
    assert parse_one(name, TextMessage).timestamp == timestamp


@pytest.mark.parametrize(
    ("name", "quoted", "forwarded", "frequently"),
    [
        ("text_reply_context.json", "wamid.WAKALAOUT0001", False, False),
        ("text_forwarded.json", None, True, False),
        ("text_frequently_forwarded.json", None, False, True),
    ],
)
def test_context(name: str, quoted: str | None, forwarded: bool, frequently: bool) -> None:
    context = parse_one(name, TextMessage).context
    assert context is not None
    assert context.quoted_message_id == quoted
    assert (context.forwarded, context.frequently_forwarded) == (forwarded, frequently)


def test_product_inquiry_carries_referred_product() -> None:
    event = parse_one("product_inquiry.json", TextMessage)
    assert event.text == "Malini lesi sinkwa?"
    assert event.context is not None
    assert event.context.referred_product is not None
    assert event.context.referred_product.product_retailer_id == "BREAD-WHITE-700G"
    assert event.context.referred_product.catalog_id == "880000000000001"


def test_referral_from_an_ad_stays_a_text_message() -> None:
    event = parse_one("referral.json", TextMessage)
    assert event.text == "Dumela! Ke bone papatso ya lona"
    assert event.sender.name == "Lerato Mokoena"
    assert event.referral is not None
    assert (event.referral.source_type, event.referral.source_id) == ("ad", "120000000000001")
    assert event.referral.ctwa_clid == "ARAwakalaCTWA0001"


@pytest.mark.parametrize(
    ("name", "kind", "reply_id", "title", "description"),
    [
        ("interactive_button_reply.json", K.BUTTON_REPLY, "cart:confirm", "Yebo, qinisekisa", None),
        (
            "interactive_list_reply.json",
            K.LIST_REPLY,
            "product:bread-white-700g",
            "Isinkwa esimhlophe",
            "Albany 700g, R18.99",
        ),
    ],
)
def test_interactive_replies(
    name: str, kind: EventKind, reply_id: str, title: str, description: str | None
) -> None:
    event = parse_one(name, InteractiveReply)
    assert (event.kind, event.reply_type) == (kind, kind.value)
    assert (event.reply_id, event.title, event.description) == (reply_id, title, description)


def test_flow_reply_decodes_response_json() -> None:
    event = parse_one("interactive_nfm_reply.json", FlowReply)
    assert event.response["suburb"] == "Orlando West"
    assert event.flow_token == "wakala-delivery-0001"
    assert json.loads(event.response_json) == event.response
    assert (event.name, event.body) == ("flow", "Sent")


def test_flow_reply_with_bad_json_keeps_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wakala.whatsapp"):
        event = parse_one("interactive_nfm_reply_bad_json.json", FlowReply)
    assert (event.response, event.flow_token) == ({}, None)
    assert event.response_json.startswith('{"flow_token"')
    assert [getattr(r, "kind", None) for r in caplog.records] == ["nfm_reply"]


def test_template_quick_reply_button() -> None:
    event = parse_one("button_template_reply.json", TemplateButtonReply)
    assert (event.payload, event.text) == ("reorder:last", "Oda futhi")
    assert event.context is not None
    assert event.context.quoted_message_id == "wamid.WAKALAOUT0005"


@pytest.mark.parametrize(
    ("name", "kind", "media_id", "mime", "caption", "voice", "animated"),
    [
        ("image.json", K.IMAGE, "910000000000001", "image/jpeg", "Ninayo le nto?", False, False),
        (
            "video.json",
            K.VIDEO,
            "910000000000002",
            "video/mp4",
            "Umuntu uthi lokhu kuyathengiswa",
            False,
            False,
        ),
        ("audio.json", K.AUDIO, "910000000000003", "audio/mpeg", None, False, False),
        (
            "audio_voice.json",
            K.VOICE,
            "910000000000004",
            "audio/ogg; codecs=opus",
            None,
            True,
            False,
        ),
        (
            "document.json",
            K.DOCUMENT,
            "910000000000005",
            "application/pdf",
            "POP ye-oda",
            False,
            False,
        ),
        ("sticker.json", K.STICKER, "910000000000006", "image/webp", None, False, False),
        ("sticker_animated.json", K.STICKER, "910000000000007", "image/webp", None, False, True),
    ],
)
def test_media(
    name: str,
    kind: EventKind,
    media_id: str,
    mime: str,
    caption: str | None,
    voice: bool,
    animated: bool,
) -> None:
    event = parse_one(name, MediaMessage)
    assert (event.kind, event.media_id, event.mime_type, event.caption) == (
        kind,
        media_id,
        mime,
        caption,
    )
    assert (event.voice, event.animated) == (voice, animated)
    assert event.sha256


def test_media_extras_filename_and_url() -> None:
    assert parse_one("document.json", MediaMessage).filename == "proof_of_payment.pdf"
    url = parse_one("image.json", MediaMessage).url
    assert url is not None
    assert "mid=910000000000001" in url


@pytest.mark.parametrize(
    ("name", "latitude", "longitude", "place", "address"),
    [
        ("location.json", -26.2389, 27.9089, None, None),
        (
            "location_named_place.json",
            -26.2614,
            27.8946,
            "Maponya Mall",
            "2127 Chris Hani Rd, Klipspruit, Soweto, 1809",
        ),
    ],
)
def test_location(
    name: str, latitude: float, longitude: float, place: str | None, address: str | None
) -> None:
    event = parse_one(name, LocationMessage)
    assert (event.latitude, event.longitude, event.name, event.address) == (
        latitude,
        longitude,
        place,
        address,
    )


def test_contacts() -> None:
    event = parse_one("contacts.json", ContactsMessage)
    sipho, palesa = event.contacts
    assert (sipho.formatted_name, sipho.first_name, sipho.last_name) == (
        "Sipho Dlamini",
        "Sipho",
        "Dlamini",
    )
    assert [(p.phone, p.wa_id, p.type) for p in sipho.phones] == [
        ("+27 82 765 4321", "27827654321", "CELL")
    ]
    assert palesa.last_name is None
    assert [(p.wa_id, p.type) for p in palesa.phones] == [(None, "WORK")]


def test_order_items_are_exact_numbers() -> None:
    event = parse_one("order.json", OrderMessage)
    assert (event.catalog_id, event.text) == ("880000000000001", "Ngicela ukulethwa ntambama")
    assert [(i.product_retailer_id, i.quantity, i.item_price, i.currency) for i in event.items] == [
        ("BREAD-WHITE-700G", 2, Decimal("18.99"), "ZAR"),
        ("MAIZE-MEAL-10KG", 1, Decimal("89.5"), "ZAR"),
        ("MILK-2L", 3, Decimal("32"), "ZAR"),
    ]
    assert sum(i.quantity * i.item_price for i in event.items) == Decimal("223.48")


@pytest.mark.parametrize(
    ("name", "emoji"),
    [
        ("reaction.json", "\N{THUMBS UP SIGN}"),
        ("reaction_removed_empty_emoji.json", None),
        ("reaction_removed_no_emoji.json", None),
    ],
)
def test_reaction_and_its_removal(name: str, emoji: str | None) -> None:
    event = parse_one(name, ReactionMessage)
    assert (event.emoji, event.removed) == (emoji, emoji is None)
    assert event.reacted_message_id == "wamid.WAKALAOUT0006"


def test_unsupported_carries_error_131051() -> None:
    event = parse_one("unsupported.json", UnsupportedMessage)
    assert event.unsupported_type == "poll"
    assert [(e.code, e.details) for e in event.errors] == [
        (131051, "Message type is currently not supported.")
    ]


@pytest.mark.parametrize(
    ("name", "old_number", "new_number"),
    [
        ("system_number_changed.json", "27821234567", "27829876543"),  # system.wa_id
        ("system_new_wa_id.json", "27731234567", "27739876543"),  # older system.new_wa_id
    ],
)
def test_number_change(name: str, old_number: str, new_number: str) -> None:
    event = parse_one(name, SystemMessage)
    assert (event.system_type, event.sender.key) == ("user_changed_number", old_number)
    assert event.new_wa_id == new_number
    assert event.sender.name is None  # system messages carry no contacts


def test_identity_change() -> None:
    event = parse_one("system_identity_changed.json", SystemMessage)
    assert event.system_type == "customer_identity_changed"
    assert (event.identity_hash, event.identity_acknowledged) == ("d2FrYWxhaWQ=", True)
    assert event.identity_created_timestamp == 1767263300


def test_request_welcome() -> None:
    event = parse_one("request_welcome.json", WelcomeRequest)
    assert (event.sender.key, event.message_id) == ("27821234567", "wamid.WAKALA0031")


def test_revoke_and_edit_point_at_the_original() -> None:
    revoke = parse_one("revoke.json", RevokeMessage)
    assert revoke.original_message_id == "wamid.WAKALA0001"
    edit = parse_one("edit.json", EditMessage)
    assert (edit.original_message_id, edit.edited_type) == ("wamid.WAKALA0001", "text")
    assert edit.text == "Sawubona, ngicela izinkwa ezintathu"


def test_sender_known_only_by_business_scoped_user_id() -> None:
    event = parse_one("bsuid_user_id_only.json", TextMessage)
    sender = event.sender
    assert (sender.wa_id, sender.user_id) == (None, "ZA.1000000000000000001")
    assert (sender.parent_user_id, sender.username) == ("ZA.ENT.2000000000000000002", "@nthabi_m")
    assert (sender.key, sender.name) == ("ZA.1000000000000000001", "Nthabiseng")


def test_sender_without_ids_on_the_message_takes_the_only_contact() -> None:
    body = load("bsuid_user_id_only.json")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["from_user_id"], message["from_parent_user_id"]
    (event,) = parse_webhook(body)
    assert isinstance(event, MessageEvent)
    assert (event.sender.key, event.sender.name) == ("ZA.1000000000000000001", "Nthabiseng")
