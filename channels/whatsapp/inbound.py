"""WhatsApp events to channel-neutral messages: `InboundMessage`s for the worker and
`DeliveryUpdate`s for the outbound log."""

from __future__ import annotations

from channels.whatsapp.events import (
    InteractiveReply,
    LocationMessage,
    MediaMessage,
    MessageEvent,
    StatusEvent,
    TemplateButtonReply,
    TextMessage,
)
from dialogue.delivery import DeliveryUpdate
from dialogue.messages import InboundMessage, Location


def to_inbound(event: MessageEvent) -> InboundMessage:
    """Every user message becomes an InboundMessage; kinds the dialogue cannot use are `other`."""
    base = InboundMessage(
        message_id=event.message_id,
        channel="whatsapp",
        recipient_id=event.phone_number_id,
        sender_id=event.sender.key,
        sender_name=event.sender.name,
        timestamp=event.timestamp,
        kind="other",
        raw_kind=str(event.kind),
    )
    match event:
        case TextMessage():
            return base.model_copy(update={"kind": "text", "text": event.text})
        case InteractiveReply():
            return base.model_copy(
                update={"kind": "choice", "payload": event.reply_id, "text": event.title}
            )
        case TemplateButtonReply():
            return base.model_copy(
                update={"kind": "choice", "payload": event.payload, "text": event.text}
            )
        case MediaMessage():
            return base.model_copy(
                update={
                    "kind": "media",
                    "media_id": event.media_id,
                    "media_type": str(event.kind),
                    "text": event.caption,
                }
            )
        case LocationMessage():
            location = Location(
                latitude=event.latitude,
                longitude=event.longitude,
                name=event.name,
                address=event.address,
            )
            return base.model_copy(update={"kind": "location", "location": location})
    return base


def to_delivery(event: StatusEvent) -> DeliveryUpdate:
    error = event.errors[0] if event.errors else None
    return DeliveryUpdate(
        business_id=event.phone_number_id,
        message_id=event.message_id,
        status=str(event.status),
        timestamp=event.timestamp,
        recipient=event.recipient_key,
        error_code=error.code if error else None,
        error_detail=(error.details or error.message or error.title) if error else None,
        callback_data=event.biz_opaque_callback_data,
    )
