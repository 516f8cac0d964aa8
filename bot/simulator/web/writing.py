"""What the page can write as the shopper, and the webhook message each one becomes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from bot.simulator.graph_fake import GraphFake
from bot.simulator.web import phone
from channels.whatsapp import simulate

Digits = Annotated[str, Field(pattern=r"^[0-9]{6,15}$")]
NumberId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
Wamid = Annotated[str, Field(pattern=r"^wamid\.[A-Za-z0-9._=-]{6,120}$")]
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # Meta's limit for images
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class BadImage(ValueError):
    """The uploaded image is not what WhatsApp would accept; the message says why."""


class _Written(BaseModel):
    shop: NumberId  # the business number's phone_number_id
    phone: Digits  # who writes: the shopper, or one of the shop's staff
    name: str = Field(default="Shopper", max_length=60)
    # The page names its own message so it can tick the bubble it already shows.
    id: Wamid | None = None
    context: Wamid | None = None  # the bot's message this answers (a button tap, a list pick)


class TextWritten(_Written):
    kind: Literal["text"]
    text: str = Field(min_length=1, max_length=4096)


class ButtonTap(_Written):
    kind: Literal["button"]
    reply_id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=256)


class ListPick(_Written):
    kind: Literal["list"]
    reply_id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=200)


class TemplateTap(_Written):
    kind: Literal["template_button"]
    payload: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=256)


class LocationShared(_Written):
    kind: Literal["location"]
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    place: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=300)


class ImageShared(_Written):
    kind: Literal["image"]
    mime_type: Literal["image/jpeg", "image/png"]
    data: str = Field(min_length=1, max_length=MAX_IMAGE_BYTES * 4 // 3 + 4)  # base64
    caption: str = Field(default="", max_length=1024)


PageMessage = Annotated[
    TextWritten | ButtonTap | ListPick | TemplateTap | LocationShared | ImageShared,
    Field(discriminator="kind"),
]


Json = dict[str, Any]


def webhook_message(message: PageMessage, graph: GraphFake) -> tuple[Json, Json]:
    """The message part of the webhook, and what the page needs to draw it again."""
    match message:
        case TextWritten():
            return simulate.text(message.text), {"text": message.text}
        case ButtonTap():
            return simulate.button_reply(message.reply_id, message.title), {"title": message.title}
        case ListPick():
            shown: Json = {"title": message.title, "description": message.description}
            return simulate.list_reply(message.reply_id, message.title, message.description), shown
        case TemplateTap():
            return phone.template_button(message.payload, message.title), {"title": message.title}
        case LocationShared():
            shown = {
                "latitude": message.latitude,
                "longitude": message.longitude,
                "name": message.place,
                "address": message.address,
            }
            content = phone.location(
                message.latitude, message.longitude, message.place, message.address
            )
            return content, shown
        case ImageShared():
            media_id, digest = store_image(graph, message.data, message.mime_type)
            content = phone.image(media_id, message.mime_type, digest, message.caption)
            return content, {"media_id": media_id, "caption": message.caption}
    raise TypeError(f"cannot write {type(message).__name__}")  # pragma: no cover


def store_image(graph: GraphFake, data: str, mime_type: str) -> tuple[str, str]:
    """Keep the image where the bot downloads media from (the fake's media store); return its
    id and its sha256 as Meta reports it (base64)."""
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadImage("the image is not valid base64") from exc
    if len(content) > MAX_IMAGE_BYTES:
        raise BadImage(f"the image is {len(content)} bytes; WhatsApp takes at most 5 MB")
    if not content.startswith(_MAGIC[mime_type]):
        raise BadImage(f"the file is not a {mime_type.removeprefix('image/').upper()} image")
    media_id = str(uuid.uuid4().int)[:16]  # Meta's media ids are opaque digits
    graph.media[media_id] = (mime_type, content)
    return media_id, base64.b64encode(hashlib.sha256(content).digest()).decode()
