"""Channel-neutral replies to Graph API message bodies, always within Meta's limits.

One reply can become several bodies, sent in order: text over 4,096 characters is split at
sentence ends, and text too long for an interactive body or a caption goes first as text
messages so the buttons, list or media still carry the end of it. Nothing is cut from text.
Other content over a limit degrades instead of failing: more than three buttons become a list,
titles shorten on a word boundary, rows past ten and products past thirty are dropped with a
warning (the action should page), and a required label that is missing becomes a neutral sign
("…", "☰"), never a word in a language the shopper may not read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from channels.whatsapp import limits
from channels.whatsapp.limits import ELLIPSIS, clip, is_blank, shorten, split_tail, split_text
from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    MediaReply,
    OutgoingMessage,
    ProductListReply,
    ProductReply,
    ReactionReply,
    TemplateReply,
    TextReply,
)

__all__ = ["MENU", "Body", "render", "render_mark_read", "requires_open_window"]

Body = dict[str, Any]

MENU = "☰"  # label of a list button the reply did not name
_CAPTIONED = frozenset({"image", "video", "document"})  # audio and stickers take no caption

logger = logging.getLogger("wakala.whatsapp")

T = TypeVar("T")


def render(message: OutgoingMessage, to: str, *, reply_to: str | None = None) -> list[Body]:
    """The JSON bodies for `POST /{phone_number_id}/messages`, to send in this order.

    Empty when there is nothing to send (a blank text). `reply_to` (a wamid) quotes that
    message on the first body.
    """
    bodies = [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content}
        for content in _contents(message)
    ]
    if reply_to and bodies and not isinstance(message, ReactionReply):
        bodies[0]["context"] = {"message_id": reply_to}
    return bodies


def render_mark_read(message_id: str, typing: bool = False) -> Body:
    """Mark an inbound message read; with `typing`, also show the typing bubble."""
    body: Body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def requires_open_window(body: Body) -> bool:
    """Whether Meta delivers this body only inside the 24-hour customer-service window.

    Every message except a template does (FACTS.md §7); a read receipt is not a message.
    """
    return "status" not in body and body.get("type") != "template"


def _contents(message: OutgoingMessage) -> list[Body]:
    match message:
        case TextReply():
            return _texts(message.text, preview_url=message.preview_url)
        case ButtonsReply():
            return _buttons(message)
        case ListReply():
            return _list(message)
        case ProductReply():
            return _product(message)
        case ProductListReply():
            return _product_list(message)
        case TemplateReply():
            return [_template(message)]
        case MediaReply():
            return _media(message)
        case ReactionReply():
            reaction = {"message_id": message.message_id, "emoji": message.emoji.strip()}
            return [{"type": "reaction", "reaction": reaction}]
    raise TypeError(f"cannot render {type(message).__name__}")  # pragma: no cover


# --- text and the interactive frame ----------------------------------------------------------


def _texts(text: str, *, preview_url: bool = False) -> list[Body]:
    return [
        {"type": "text", "text": {"preview_url": preview_url, "body": piece}}
        for piece in split_text(text, limits.TEXT_BODY)
        if not is_blank(piece)
    ]


def _interactive(
    kind: str,
    text: str,
    action: Body,
    *,
    header: Body | None = None,
    footer: str | None = None,
    body_required: bool = True,
) -> list[Body]:
    head, tail = split_tail(text, limits.INTERACTIVE_BODY)
    interactive: Body = {"type": kind}
    if header:
        interactive["header"] = header
    if not is_blank(tail):
        interactive["body"] = {"text": tail}
    elif body_required:
        interactive["body"] = {"text": ELLIPSIS}
    if footer and not is_blank(footer):
        interactive["footer"] = {"text": shorten(footer, limits.FOOTER_TEXT)}
    interactive["action"] = action
    return [*_texts(head), {"type": "interactive", "interactive": interactive}]


def _text_header(header: str | None) -> Body | None:
    if not header or is_blank(header):
        return None
    return {"type": "text", "text": _title(header, limits.HEADER_TEXT)}


def _title(text: str, limit: int, fallback: str = ELLIPSIS) -> str:
    title = shorten(text, limit)
    return fallback if is_blank(title) else title


def _id(raw: str, limit: int, fallback: str) -> str:
    # Meta refuses ids with leading or trailing spaces; an empty id falls back to the title.
    return clip(raw.strip(), limit).rstrip() or clip(fallback.strip(), limit).rstrip() or ELLIPSIS


# --- buttons and lists -----------------------------------------------------------------------


def _buttons(message: ButtonsReply) -> list[Body]:
    buttons = _unique(message.buttons, lambda b: _id(b.id, limits.BUTTON_ID, b.title))
    if not buttons:
        return _texts(message.text)
    if len(buttons) > limits.BUTTONS:
        return _list(_as_list(message, buttons))
    titles: set[str] = set()
    rendered = []
    for button in buttons:
        # Meta requires titles unique within the message; shortening can make two collide.
        title = _distinct(_title(button.title, limits.BUTTON_TITLE), titles, limits.BUTTON_TITLE)
        reply = {"id": _id(button.id, limits.BUTTON_ID, button.title), "title": title}
        rendered.append({"type": "reply", "reply": reply})
    return _interactive(
        "button",
        message.text,
        {"buttons": rendered},
        header=_text_header(message.header),
        footer=message.footer,
    )


def _as_list(message: ButtonsReply, buttons: list[Button]) -> ListReply:
    rows = tuple(ListRow(id=button.id, title=button.title) for button in buttons)
    return ListReply(
        text=message.text,
        button=message.list_button or MENU,
        sections=(ListSection(rows=rows),),
        header=message.header,
        footer=message.footer,
    )


def _list(message: ListReply) -> list[Body]:
    groups = [(section.title, [_row(row) for row in section.rows]) for section in message.sections]
    sections = _sections(groups, items="rows", key="id", total=limits.LIST_ROWS)
    if not sections:
        return _texts(message.text)
    action = {"button": _title(message.button, limits.LIST_BUTTON, MENU), "sections": sections}
    return _interactive(
        "list", message.text, action, header=_text_header(message.header), footer=message.footer
    )


def _row(row: ListRow) -> Body:
    body: Body = {
        "id": _id(row.id, limits.ROW_ID, row.title),
        "title": _title(row.title, limits.ROW_TITLE),
    }
    if not is_blank(row.description):
        body["description"] = shorten(row.description, limits.ROW_DESCRIPTION)
    return body


# --- commerce --------------------------------------------------------------------------------


def _product(message: ProductReply) -> list[Body]:
    action = {
        "catalog_id": message.catalog_id,
        "product_retailer_id": message.product_retailer_id,
    }
    # A single-product message takes no header, and its body is optional.
    return _interactive("product", message.text, action, footer=message.footer, body_required=False)


def _product_list(message: ProductListReply) -> list[Body]:
    groups = [
        (
            section.title,
            [{"product_retailer_id": sku.strip()} for sku in section.product_retailer_ids],
        )
        for section in message.sections
    ]
    sections = _sections(
        groups, items="product_items", key="product_retailer_id", total=limits.PRODUCTS
    )
    if not sections:
        return _texts(message.text)
    # The header is required here: a neutral sign stands in for a missing one.
    header = _text_header(message.header) or {"type": "text", "text": ELLIPSIS}
    action = {"catalog_id": message.catalog_id, "sections": sections}
    return _interactive("product_list", message.text, action, header=header, footer=message.footer)


def _sections(
    groups: list[tuple[str, list[Body]]], *, items: str, key: str, total: int
) -> list[Body]:
    """Sections of a list or a multi-product message: at most `total` entries across all of
    them, at most ten sections, no entry twice, no empty section; titles where required."""
    seen: set[str] = set()
    kept_groups: list[tuple[str, list[Body]]] = []
    budget, dropped = total, 0
    for title, entries in groups:
        present = [entry for entry in entries if not is_blank(entry[key])]
        fresh = _unique(present, lambda entry: str(entry[key]), seen)
        room = budget if len(kept_groups) < limits.LIST_SECTIONS else 0
        dropped += max(len(fresh) - room, 0)
        if fresh[:room]:
            kept_groups.append((title, fresh[:room]))
            budget -= len(fresh[:room])
    if dropped:
        logger.warning(
            "dropped %d %s over Meta's limits; the action should page",
            dropped,
            items,
            extra={"limit": total},
        )
    several = len(kept_groups) > 1  # Meta requires a title on each section once there are two
    sections: list[Body] = []
    for title, entries in kept_groups:
        section: Body = {}
        if several or not is_blank(title):
            section["title"] = _title(title, limits.SECTION_TITLE)
        section[items] = entries
        sections.append(section)
    return sections


# --- templates, media ------------------------------------------------------------------------


def _template(message: TemplateReply) -> Body:
    components: list[Body] = []
    if message.header_parameters:
        params = [_parameter(shorten(p, limits.HEADER_TEXT)) for p in message.header_parameters]
        components.append({"type": "header", "parameters": params})
    if message.body_parameters:
        params = [_parameter(p) for p in message.body_parameters]
        components.append({"type": "body", "parameters": params})
    for index, payload in enumerate(message.button_payloads):
        if is_blank(payload):
            continue  # without a payload the tap reports the button's text, which still works
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    template: Body = {"name": message.name, "language": {"code": message.language}}
    if components:
        template["components"] = components
    return {"type": "template", "template": template}


def _parameter(text: str) -> Body:
    # Meta refuses template parameters with line breaks, tabs or runs of spaces, or empty ones.
    flat = " ".join(text.split())
    return {"type": "text", "text": flat if not is_blank(flat) else ELLIPSIS}


def _media(message: MediaReply) -> list[Body]:
    kind = message.kind
    media: Body = (
        {"id": message.media_id.strip()}
        if message.media_id
        else {"link": (message.link or "").strip()}
    )
    before: list[Body] = []
    caption = message.caption or ""
    if not is_blank(caption):
        if kind in _CAPTIONED:
            head, tail = split_tail(caption, limits.CAPTION)
            media["caption"] = tail
            before = _texts(head)
        else:
            before = _texts(caption)  # keep the words: they go just before the audio/sticker
    if kind == "document" and message.filename and not is_blank(message.filename):
        media["filename"] = message.filename.strip()
    return [*before, {"type": kind, kind: media}]


# --- helpers ---------------------------------------------------------------------------------


def _unique(items: Iterable[T], key: Callable[[T], str], seen: set[str] | None = None) -> list[T]:
    """`items` in order without repeated keys (Meta refuses duplicate ids)."""
    seen = set() if seen is None else seen
    kept: list[T] = []
    for item in items:
        if (marker := key(item)) not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


def _distinct(title: str, taken: set[str], limit: int) -> str:
    """`title`, numbered if another button already has it, still within `limit`."""
    candidate, number = title, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate = shorten(title.removesuffix(ELLIPSIS), limit - len(suffix)) + suffix
        number += 1
    taken.add(candidate)
    return candidate
