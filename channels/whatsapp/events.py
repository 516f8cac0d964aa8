"""Typed, immutable events parsed from WhatsApp Cloud API webhook bodies.

One webhook POST becomes a list of events (see `parse.parse_webhook`):

* `MessageEvent` subclasses, one per family of user message, all carrying who sent it
  (`sender`), to which business number (`phone_number_id`), when, and any quote/forward/
  product context or ad referral;
* `StatusEvent` for delivery receipts of our own messages;
* `ErrorEvent` for errors Meta reports at the level of a whole change;
* `IgnoredEvent` for webhook fields a messaging bot does not use (template updates, ...);
* `UnknownEvent` for anything we could not understand; it never raises.

The models are pydantic and frozen so they cross the message bus unchanged: dump with
`model_dump_json()`, load a `WebhookEvent` through `pydantic.TypeAdapter`, which picks the
class from `kind`.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EventKind(StrEnum):
    TEXT = "text"
    BUTTON_REPLY = "button_reply"  # tap on an interactive reply button we sent
    LIST_REPLY = "list_reply"  # choice of a row in an interactive list we sent
    FLOW_REPLY = "flow_reply"  # WhatsApp Flow completion (interactive nfm_reply)
    TEMPLATE_BUTTON = "template_button"  # quick-reply button on a template (type "button")
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"  # audio recorded as a voice note (audio.voice is true)
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    ORDER = "order"  # cart sent from the catalog
    REACTION = "reaction"
    UNSUPPORTED = "unsupported"  # Meta could not pass the message on (error 131051)
    SYSTEM = "system"  # number or identity change
    REQUEST_WELCOME = "request_welcome"  # user opened the chat for the first time
    REVOKE = "revoke"  # user deleted a message
    EDIT = "edit"  # user edited a message
    STATUS = "status"
    ERROR = "error"
    IGNORED = "ignored"
    UNKNOWN = "unknown"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"  # a voice message we sent was played
    FAILED = "failed"
    DELETED = "deleted"
    WARNING = "warning"


# Timestamps past the year 9999 are no real message's; they would overflow the 24-hour window
# arithmetic, so such a message fails validation and becomes an UnknownEvent.
UnixSeconds = Annotated[int, Field(ge=0, le=253_402_300_799)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- parts -----------------------------------------------------------------------------------


class ErrorDetail(_Frozen):
    """One error object as Meta reports it; branch on `code`, titles are being deprecated."""

    code: int
    title: str | None = None
    message: str | None = None
    details: str | None = None  # error_data.details
    href: str | None = None


def _first_present(*candidates: str | None) -> str | None:
    return next((c for c in candidates if c), None)


class Sender(_Frozen):
    """The user who sent a message, from `messages[]` and the matching `contacts[]` entry.

    Since 2026 users may arrive with business-scoped user ids (BSUID) and a username but no
    phone number, so no single field identifies everyone; `key` picks the most stable one.
    """

    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    name: str | None = None  # profile name: display only, never an identifier

    @model_validator(mode="after")
    def _has_an_identifier(self) -> Sender:
        if self._key() is None:
            raise ValueError("sender needs one of wa_id, user_id, parent_user_id or username")
        return self

    def _key(self) -> str | None:
        return _first_present(self.wa_id, self.user_id, self.parent_user_id, self.username)

    @property
    def key(self) -> str:
        """wa_id, else user_id, else parent_user_id, else username."""
        key = self._key()
        assert key is not None  # guaranteed by the validator
        return key


class ReferredProduct(_Frozen):
    """The catalog product a user asked about with "Message business"."""

    catalog_id: str | None = None
    product_retailer_id: str


class MessageContext(_Frozen):
    quoted_message_id: str | None = None  # context.id: the message this one replies to
    quoted_from: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


class Referral(_Frozen):
    """Click-to-WhatsApp ad or post the user came from."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None


# --- user messages ---------------------------------------------------------------------------


class MessageEvent(_Frozen):
    """Base of every message a user sent; never built directly."""

    kind: EventKind
    phone_number_id: str  # the business number messaged: routes to a tenant
    display_phone_number: str | None = None
    message_id: str  # wamid: the dedupe key
    timestamp: UnixSeconds
    sender: Sender
    context: MessageContext | None = None
    referral: Referral | None = None
    errors: tuple[ErrorDetail, ...] = ()


class TextMessage(MessageEvent):
    kind: Literal[EventKind.TEXT] = EventKind.TEXT
    text: str


class InteractiveReply(MessageEvent):
    """A tap on one of our reply buttons or list rows; `reply_id` is the id we sent."""

    kind: Literal[EventKind.BUTTON_REPLY, EventKind.LIST_REPLY]
    reply_id: str
    title: str
    description: str | None = None  # list rows only

    @property
    def reply_type(self) -> str:
        return self.kind.value


class FlowReply(MessageEvent):
    """A completed WhatsApp Flow; `response` is `response_json` decoded ({} if not an object)."""

    kind: Literal[EventKind.FLOW_REPLY] = EventKind.FLOW_REPLY
    response: dict[str, Any]
    response_json: str = ""  # as received ("" if absent), kept for audit when it did not decode
    body: str | None = None
    name: str | None = None

    @property
    def flow_token(self) -> str | None:
        token = self.response.get("flow_token")
        return token if isinstance(token, str) else None


class TemplateButtonReply(MessageEvent):
    """A tap on a quick-reply button of a template message."""

    kind: Literal[EventKind.TEMPLATE_BUTTON] = EventKind.TEMPLATE_BUTTON
    payload: str
    text: str


class MediaMessage(MessageEvent):
    """Image, video, audio, voice note, document or sticker; fetch bytes by `media_id`."""

    kind: Literal[
        EventKind.IMAGE,
        EventKind.VIDEO,
        EventKind.AUDIO,
        EventKind.VOICE,
        EventKind.DOCUMENT,
        EventKind.STICKER,
    ]
    media_id: str
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False
    url: str | None = None  # newer payloads only; still needs the bearer token


class LocationMessage(MessageEvent):
    kind: Literal[EventKind.LOCATION] = EventKind.LOCATION
    latitude: float = Field(ge=-90, le=90)  # also refuses inf: JSON's 1e400 reads as inf
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None  # set when the user picked a named place
    address: str | None = None
    url: str | None = None


class ContactPhone(_Frozen):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None  # CELL, HOME, WORK, ...


class ContactCard(_Frozen):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phones: tuple[ContactPhone, ...] = ()


class ContactsMessage(MessageEvent):
    kind: Literal[EventKind.CONTACTS] = EventKind.CONTACTS
    contacts: tuple[ContactCard, ...]


class OrderItem(_Frozen):
    product_retailer_id: str
    quantity: int
    item_price: Decimal  # money: never a float
    currency: str


class OrderMessage(MessageEvent):
    """A cart sent from the catalog."""

    kind: Literal[EventKind.ORDER] = EventKind.ORDER
    catalog_id: str | None = None
    text: str | None = None
    items: tuple[OrderItem, ...]


class ReactionMessage(MessageEvent):
    kind: Literal[EventKind.REACTION] = EventKind.REACTION
    emoji: str | None  # None: the user removed their reaction
    reacted_message_id: str

    @property
    def removed(self) -> bool:
        return self.emoji is None


class UnsupportedMessage(MessageEvent):
    """A message Meta did not pass on (poll, ...); `errors` usually holds code 131051."""

    kind: Literal[EventKind.UNSUPPORTED] = EventKind.UNSUPPORTED
    unsupported_type: str | None = None


class SystemMessage(MessageEvent):
    """The user changed number (`new_wa_id`) or their identity (security code) changed."""

    kind: Literal[EventKind.SYSTEM] = EventKind.SYSTEM
    system_type: str | None = None  # user_changed_number, customer_identity_changed, ...
    body: str | None = None
    new_wa_id: str | None = None
    identity_hash: str | None = None
    identity_acknowledged: bool | None = None
    identity_created_timestamp: int | None = None


class WelcomeRequest(MessageEvent):
    kind: Literal[EventKind.REQUEST_WELCOME] = EventKind.REQUEST_WELCOME


class RevokeMessage(MessageEvent):
    """The user deleted a message they had sent."""

    kind: Literal[EventKind.REVOKE] = EventKind.REVOKE
    original_message_id: str | None = None


class EditMessage(MessageEvent):
    """The user edited a message; `text` is the new body or caption."""

    kind: Literal[EventKind.EDIT] = EventKind.EDIT
    original_message_id: str | None = None
    edited_type: str | None = None
    text: str | None = None


# --- everything else -------------------------------------------------------------------------


class Conversation(_Frozen):
    id: str | None = None
    expiration_timestamp: int | None = None
    origin_type: str | None = None


class Pricing(_Frozen):
    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None
    type: str | None = None


class StatusEvent(_Frozen):
    """Delivery receipt for a message we sent (order of arrival is not guaranteed)."""

    kind: Literal[EventKind.STATUS] = EventKind.STATUS
    phone_number_id: str
    display_phone_number: str | None = None
    message_id: str
    status: DeliveryStatus
    timestamp: UnixSeconds
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    parent_recipient_user_id: str | None = None
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: tuple[ErrorDetail, ...] = ()
    biz_opaque_callback_data: str | None = None

    @model_validator(mode="after")
    def _has_a_recipient(self) -> StatusEvent:
        if self._key() is None:
            raise ValueError("status needs recipient_id, recipient_user_id or its parent")
        return self

    def _key(self) -> str | None:
        return _first_present(
            self.recipient_id, self.recipient_user_id, self.parent_recipient_user_id
        )

    @property
    def recipient_key(self) -> str:
        """Same precedence as `Sender.key`, so statuses find the conversation."""
        key = self._key()
        assert key is not None  # guaranteed by the validator
        return key


class ErrorEvent(_Frozen):
    """Errors Meta reported for a whole change (`value.errors`), not tied to one message."""

    kind: Literal[EventKind.ERROR] = EventKind.ERROR
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    errors: tuple[ErrorDetail, ...]


class IgnoredEvent(_Frozen):
    """A webhook field a messaging bot does not use: acknowledge and drop."""

    kind: Literal[EventKind.IGNORED] = EventKind.IGNORED
    field: str
    business_account_id: str | None = None  # entry.id
    phone_number_id: str | None = None


class UnknownEvent(_Frozen):
    """Something we could not understand; a warning was logged when it was made."""

    kind: Literal[EventKind.UNKNOWN] = EventKind.UNKNOWN
    field: str | None = None
    raw_type: str | None = None  # e.g. the message type we do not know
    reason: str
    phone_number_id: str | None = None
    message_id: str | None = None
    sender: Sender | None = None  # when known, so the bot can still answer the user
    raw: Any = None  # the part of the body that was not understood


UserMessage = (
    TextMessage
    | InteractiveReply
    | FlowReply
    | TemplateButtonReply
    | MediaMessage
    | LocationMessage
    | ContactsMessage
    | OrderMessage
    | ReactionMessage
    | UnsupportedMessage
    | SystemMessage
    | WelcomeRequest
    | RevokeMessage
    | EditMessage
)

WebhookEvent = Annotated[
    UserMessage | StatusEvent | ErrorEvent | IgnoredEvent | UnknownEvent,
    Field(discriminator="kind"),
]
