"""Channel-neutral messages: what a shopper sent and what the bot answers.

Channels translate their wire formats to and from these types; the dialogue engine, the worker
and the queues only ever see these. They are immutable and JSON-serialisable (pydantic), so
they cross RabbitMQ unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- inbound ---------------------------------------------------------------------------------

InboundKind = Literal[
    "text",  # free text: goes to the NLU
    "choice",  # a tap on one of our buttons or list rows: `payload` is the id we sent
    "media",
    "location",
    "order",
    "other",  # anything the dialogue has no use for yet (reaction, contacts, ...)
]


class Location(_Frozen):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class InboundMessage(_Frozen):
    """One message from a user, as the worker processes it."""

    message_id: str  # the channel's id (WhatsApp `wamid`), the dedupe key
    channel: str = "whatsapp"
    recipient_id: str  # the business number that was messaged (WhatsApp phone_number_id)
    sender_id: str  # a stable key for the user (wa_id, or the newer user_id)
    sender_name: str | None = None
    timestamp: int  # unix seconds, as the channel reported it
    kind: InboundKind
    text: str | None = None
    payload: str | None = None  # button / list row id for kind == "choice"
    media_id: str | None = None
    media_type: str | None = None
    location: Location | None = None
    raw_kind: str = ""  # the channel's own name for the kind, for logs
    # Flood handling (see bot/gateway.py): the first message over the limit carries the notice;
    # flooded messages wait in the overflow lane until `not_before` (unix seconds).
    flood_notice: bool = False
    not_before: float | None = None
    trace_context: dict[str, str] = Field(default_factory=dict)  # W3C traceparent, across queues

    @property
    def conversation_key(self) -> str:
        """Conversations are per business number and user; order is kept per key."""
        return f"{self.channel}:{self.recipient_id}:{self.sender_id}"


# --- outbound --------------------------------------------------------------------------------


class Button(_Frozen):
    id: str
    title: str


class ListRow(_Frozen):
    id: str
    title: str
    description: str = ""


class ListSection(_Frozen):
    title: str = ""
    rows: tuple[ListRow, ...]


class TextReply(_Frozen):
    type: Literal["text"] = "text"
    text: str
    preview_url: bool = False  # let the channel show a preview of the first link


class ButtonsReply(_Frozen):
    type: Literal["buttons"] = "buttons"
    text: str
    buttons: tuple[Button, ...]
    header: str | None = None
    footer: str | None = None
    # Label of the button that opens the list when there are too many buttons for the channel;
    # it comes from the response (in the shopper's language), never from the channel.
    list_button: str | None = None


class ListReply(_Frozen):
    type: Literal["list"] = "list"
    text: str
    button: str  # the label of the button that opens the list
    sections: tuple[ListSection, ...]
    header: str | None = None
    footer: str | None = None


class ProductReply(_Frozen):
    """One product from the shop's catalog, shown as a card the shopper can add to a cart."""

    type: Literal["product"] = "product"
    text: str = ""
    catalog_id: str
    product_retailer_id: str  # the product's SKU in the catalog
    footer: str | None = None


class ProductSection(_Frozen):
    title: str = ""
    product_retailer_ids: tuple[str, ...]


class ProductListReply(_Frozen):
    """Several products from one catalog, grouped in sections; the shopper builds a cart."""

    type: Literal["product_list"] = "product_list"
    header: str
    text: str
    catalog_id: str
    sections: tuple[ProductSection, ...]
    footer: str | None = None


class TemplateReply(_Frozen):
    """A pre-approved template: the only message allowed once the customer-service window closed.

    Parameters are plain strings filled into the template's `{{1}}`, `{{2}}`... in order.
    """

    type: Literal["template"] = "template"
    name: str
    language: str  # the template's language code as approved, e.g. "en_US", "zu"
    body_parameters: tuple[str, ...] = ()
    header_parameters: tuple[str, ...] = ()
    button_payloads: tuple[str, ...] = ()  # one per quick-reply button, in button order


MediaKind = Literal["image", "audio", "video", "document", "sticker"]


class MediaReply(_Frozen):
    """A file already uploaded to the channel (`media_id`) or at a public URL (`link`)."""

    type: Literal["media"] = "media"
    kind: MediaKind
    media_id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None  # shown for documents

    @model_validator(mode="after")
    def _one_source(self) -> MediaReply:
        if bool(self.media_id) == bool(self.link):
            raise ValueError("give exactly one of media_id or link")
        return self


class ReactionReply(_Frozen):
    """An emoji on one of the shopper's messages; an empty emoji removes our reaction."""

    type: Literal["reaction"] = "reaction"
    message_id: str
    emoji: str = ""


OutgoingMessage = Annotated[
    TextReply
    | ButtonsReply
    | ListReply
    | ProductReply
    | ProductListReply
    | TemplateReply
    | MediaReply
    | ReactionReply,
    Field(discriminator="type"),
]


class OutboundEnvelope(_Frozen):
    """A reply on its way to the sender: where it goes and an id that makes sending idempotent."""

    id: str  # deterministic: "<inbound message id>:<n>", so a redelivered turn re-sends nothing
    channel: str = "whatsapp"
    sender_id: str  # the business number to send from (WhatsApp phone_number_id)
    to: str  # the user key
    message: OutgoingMessage
    in_reply_to: str | None = None
    tenant_id: str | None = None
    language: str | None = None
    trace_context: dict[str, str] = Field(default_factory=dict)  # W3C traceparent, across queues
