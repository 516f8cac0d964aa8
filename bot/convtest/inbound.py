"""A turn's user action as the message object of a WhatsApp webhook (what Meta would send)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.convtest.format import Turn
from bot.convtest.received import Choice, Received
from channels.whatsapp import simulate

# Stand-ins for the media a shopper sends; the fake serves them if the bot downloads them.
FAKE_MEDIA = {"image": b"\xff\xd8\xff\xe0convtest-image", "audio": b"OggSconvtest-voice"}


class TapError(ValueError):
    """A tap on something the bot never showed."""


@dataclass(frozen=True, slots=True)
class Media:
    media_id: str
    mime_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Inbound:
    message: dict[str, Any]  # type and content, as in a webhook's `messages[]` entry
    media: Media | None = None


def inbound(turn: Turn, history: Sequence[Received]) -> Inbound:
    """The message for `turn`; taps are looked up in what the bot sent so far."""
    if turn.user is not None:
        return Inbound(simulate.text(turn.user))
    if turn.tap is not None:
        return Inbound(tap(turn.tap, history))
    if turn.location is not None:
        pin = turn.location
        location: dict[str, Any] = {"latitude": pin.lat, "longitude": pin.lon}
        location |= {k: v for k, v in (("name", pin.name), ("address", pin.address)) if v}
        return Inbound({"type": "location", "location": location})
    if turn.image is not None:
        media = _media("image", turn.image.mime_type)
        image: dict[str, Any] = _media_fields(media)
        if turn.image.caption:
            image["caption"] = turn.image.caption
        return Inbound({"type": "image", "image": image}, media)
    if turn.voice is not None:
        media = _media("audio", turn.voice.mime_type)
        audio = {**_media_fields(media), "voice": True}
        return Inbound({"type": "audio", "audio": audio}, media)
    raise AssertionError("a validated turn has exactly one action")  # pragma: no cover


def _media(kind: str, mime_type: str) -> Media:
    return Media(f"{uuid.uuid4().int % 10**16:016d}", mime_type, FAKE_MEDIA[kind])


def _media_fields(media: Media) -> dict[str, Any]:
    digest = hashlib.sha256(media.content).hexdigest()
    return {"id": media.media_id, "mime_type": media.mime_type, "sha256": digest}


def tap(value: str, history: Sequence[Received]) -> dict[str, Any]:
    """A button or list-row reply for the newest control with this id or title.

    Newest first, as a shopper scrolling up would find it; ids win over titles, exact titles
    over titles that differ only in case.
    """
    messages = [m for m in reversed(history) if m.buttons or m.rows]
    tests: tuple[Callable[[Choice], bool], ...] = (
        lambda c: c.id == value,
        lambda c: c.title == value,
        lambda c: c.title.casefold() == value.casefold(),
    )
    for same in tests:
        for message in messages:
            for button in message.buttons:
                if same(button):
                    return simulate.button_reply(button.id, button.title)
            for row in message.rows:
                if same(row):
                    return simulate.list_reply(row.id, row.title, row.description)
    raise TapError(_nothing_to_tap(value, messages[0] if messages else None))


def _nothing_to_tap(value: str, last: Received | None) -> str:
    if last is None:
        return f"cannot tap {value!r}: the bot has shown no buttons or list yet"
    offered: tuple[Choice, ...] = last.buttons or last.rows
    titles = ", ".join(c.title for c in offered)
    return (
        f"cannot tap {value!r}: no button or list row has that id or title (last offered: {titles})"
    )
