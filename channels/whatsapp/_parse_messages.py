"""`messages[]` items to typed events: one small parser per `type`, chosen from a table."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from channels.whatsapp._parse_common import (
    PARSE_ERRORS,
    Json,
    as_map,
    describe,
    error_details,
    logger,
    maps,
    opt_str,
    pick,
    unknown,
)
from channels.whatsapp.events import (
    ContactCard,
    ContactPhone,
    ContactsMessage,
    EditMessage,
    EventKind,
    FlowReply,
    InteractiveReply,
    LocationMessage,
    MediaMessage,
    MessageContext,
    OrderItem,
    OrderMessage,
    ReactionMessage,
    Referral,
    ReferredProduct,
    RevokeMessage,
    Sender,
    SystemMessage,
    TemplateButtonReply,
    TextMessage,
    UnknownEvent,
    UnsupportedMessage,
    UserMessage,
    WelcomeRequest,
)

Common = dict[str, Any]  # the MessageEvent fields every kind shares


class _UnknownKind(Exception):  # private control flow: never leaves this module
    """A message (sub-)kind we have no parser for, e.g. `interactive.x`."""

    def __init__(self, raw_type: str | None, reason: str) -> None:
        super().__init__(reason)
        self.raw_type = raw_type


def parse_message(raw: object, value: Json) -> UserMessage | UnknownEvent:
    """One `messages[]` item of a change `value` (which holds metadata and contacts)."""
    msg = as_map(raw)
    msg_type = msg.get("type")
    try:
        parser = _PARSERS.get(msg_type) if isinstance(msg_type, str) else None
        if parser is None:
            raise _UnknownKind(opt_str(msg_type), f"unknown message type {msg_type!r}")
        return parser(msg, _common(msg, value))
    except _UnknownKind as exc:
        raw_type, reason = exc.raw_type, str(exc)
    except PARSE_ERRORS as exc:
        raw_type, reason = opt_str(msg_type), f"malformed {msg_type} message: {describe(exc)}"
    return unknown(
        reason,
        raw_type=raw_type,
        raw=raw,
        phone_number_id=opt_str(as_map(value.get("metadata")).get("phone_number_id")),
        message_id=opt_str(msg.get("id")),
        sender=_try_sender(msg, value),
    )


def _common(msg: Json, value: Json) -> Common:
    metadata = as_map(value.get("metadata"))
    return {
        "phone_number_id": metadata.get("phone_number_id"),
        "display_phone_number": metadata.get("display_phone_number"),
        "message_id": msg.get("id"),
        "timestamp": msg.get("timestamp"),
        "sender": _sender(msg, value),
        "context": _context(msg.get("context")),
        "referral": pick(Referral, msg.get("referral")) if "referral" in msg else None,
        "errors": error_details(msg.get("errors")),
    }


def _sender(msg: Json, value: Json) -> Sender:
    wa_id, user_id = msg.get("from"), msg.get("from_user_id")
    contact = _matching_contact(value.get("contacts"), wa_id, user_id)
    profile = as_map(contact.get("profile"))
    return Sender(
        wa_id=wa_id or contact.get("wa_id"),
        user_id=user_id or contact.get("user_id"),
        parent_user_id=msg.get("from_parent_user_id") or contact.get("parent_user_id"),
        username=profile.get("username"),
        name=profile.get("name"),
    )


def _try_sender(msg: Json, value: Json) -> Sender | None:
    try:
        return _sender(msg, value)
    except PARSE_ERRORS:
        return None


def _matching_contact(contacts: object, wa_id: object, user_id: object) -> Json:
    candidates = list(maps(contacts))
    for contact in candidates:
        if (wa_id and contact.get("wa_id") == wa_id) or (
            user_id and contact.get("user_id") == user_id
        ):
            return contact
    # A user known only by username has no id on the message; the one contact is theirs.
    if not wa_id and not user_id and len(candidates) == 1:
        return candidates[0]
    return {}


def _context(raw: object) -> MessageContext | None:
    if not isinstance(raw, Mapping):
        return None
    product = raw.get("referred_product")
    return MessageContext(
        quoted_message_id=raw.get("id"),
        quoted_from=raw.get("from"),
        forwarded=raw.get("forwarded", False),
        frequently_forwarded=raw.get("frequently_forwarded", False),
        referred_product=pick(ReferredProduct, product) if product is not None else None,
    )


# --- one parser per message type -------------------------------------------------------------


def _text(msg: Json, common: Common) -> UserMessage:
    return TextMessage(**common, text=as_map(msg.get("text")).get("body"))


def _interactive(msg: Json, common: Common) -> UserMessage:
    interactive = as_map(msg.get("interactive"))
    sub_type = interactive.get("type")
    if sub_type == "nfm_reply":
        return _flow_reply(as_map(interactive.get("nfm_reply")), common)
    if sub_type not in ("button_reply", "list_reply"):
        raise _UnknownKind(f"interactive.{sub_type}", f"unknown interactive type {sub_type!r}")
    reply = as_map(interactive.get(sub_type))
    return InteractiveReply(
        **common,
        kind=EventKind(sub_type),
        reply_id=reply.get("id"),
        title=reply.get("title"),
        description=reply.get("description"),
    )


def _flow_reply(nfm: Json, common: Common) -> UserMessage:
    raw_json = nfm.get("response_json")
    return FlowReply(
        **common,
        response=_json_object(raw_json, common.get("message_id")),
        response_json=raw_json if isinstance(raw_json, str) else "",
        body=nfm.get("body"),
        name=nfm.get("name"),
    )


def _json_object(raw: object, message_id: object) -> dict[str, Any]:
    """Decode a Flow's response_json; an answer we cannot read must not lose the message."""
    try:
        decoded = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded
    logger.warning(
        "flow reply response_json is not a JSON object; using {}",
        extra={"kind": "nfm_reply", "field": "messages", "message_id": message_id},
    )
    return {}


def _template_button(msg: Json, common: Common) -> UserMessage:
    button = as_map(msg.get("button"))
    return TemplateButtonReply(**common, payload=button.get("payload"), text=button.get("text"))


def _media(msg: Json, common: Common) -> UserMessage:
    msg_type = msg["type"]
    media = as_map(msg.get(msg_type))
    voice = media.get("voice", False)
    return MediaMessage(
        **common,
        kind=EventKind.VOICE if msg_type == "audio" and voice is True else EventKind(msg_type),
        media_id=media.get("id"),
        mime_type=media.get("mime_type"),
        sha256=media.get("sha256"),
        caption=media.get("caption"),
        filename=media.get("filename"),
        voice=voice,
        animated=media.get("animated", False),
        url=media.get("url"),
    )


def _location(msg: Json, common: Common) -> UserMessage:
    location = as_map(msg.get("location"))
    return LocationMessage(
        **common,
        latitude=location.get("latitude"),
        longitude=location.get("longitude"),
        name=location.get("name"),
        address=location.get("address"),
        url=location.get("url"),
    )


def _contacts(msg: Json, common: Common) -> UserMessage:
    cards = []
    for card in maps(msg.get("contacts")):
        name = as_map(card.get("name"))
        cards.append(
            ContactCard(
                formatted_name=name.get("formatted_name"),
                first_name=name.get("first_name"),
                last_name=name.get("last_name"),
                phones=tuple(pick(ContactPhone, phone) for phone in maps(card.get("phones"))),
            )
        )
    return ContactsMessage(**common, contacts=tuple(cards))


def _order(msg: Json, common: Common) -> UserMessage:
    order = as_map(msg.get("order"))
    return OrderMessage(
        **common,
        catalog_id=order.get("catalog_id"),
        text=order.get("text") or None,
        items=tuple(pick(OrderItem, item) for item in maps(order.get("product_items"))),
    )


def _reaction(msg: Json, common: Common) -> UserMessage:
    reaction = as_map(msg.get("reaction"))
    return ReactionMessage(
        **common,
        emoji=reaction.get("emoji") or None,  # "" or no key: the reaction was removed
        reacted_message_id=reaction.get("message_id"),
    )


def _unsupported(msg: Json, common: Common) -> UserMessage:
    unsupported_type = as_map(msg.get("unsupported")).get("type")
    return UnsupportedMessage(**common, unsupported_type=unsupported_type)


def _system(msg: Json, common: Common) -> UserMessage:
    system, identity = as_map(msg.get("system")), as_map(msg.get("identity"))
    return SystemMessage(
        **common,
        system_type=system.get("type"),
        body=system.get("body"),
        new_wa_id=system.get("wa_id") or system.get("new_wa_id"),  # new_wa_id: older docs
        identity_hash=identity.get("hash"),
        identity_acknowledged=identity.get("acknowledged"),
        identity_created_timestamp=identity.get("created_timestamp"),
    )


def _welcome(msg: Json, common: Common) -> UserMessage:
    return WelcomeRequest(**common)


def _revoke(msg: Json, common: Common) -> UserMessage:
    original = as_map(msg.get("revoke")).get("original_message_id")
    return RevokeMessage(**common, original_message_id=original)


def _edit(msg: Json, common: Common) -> UserMessage:
    edit = as_map(msg.get("edit"))
    inner = as_map(edit.get("message"))
    inner_type = inner.get("type")
    content = as_map(inner.get(inner_type)) if isinstance(inner_type, str) else {}
    return EditMessage(
        **common,
        original_message_id=edit.get("original_message_id"),
        edited_type=inner_type,
        text=content.get("body") if inner_type == "text" else content.get("caption"),
    )


_PARSERS: dict[str, Callable[[Json, Common], UserMessage]] = {
    "text": _text,
    "interactive": _interactive,
    "button": _template_button,
    "image": _media,
    "video": _media,
    "audio": _media,
    "document": _media,
    "sticker": _media,
    "location": _location,
    "contacts": _contacts,
    "order": _order,
    "reaction": _reaction,
    "unsupported": _unsupported,
    "system": _system,
    "request_welcome": _welcome,
    "revoke": _revoke,
    "edit": _edit,
}
