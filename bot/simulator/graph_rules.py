"""What Meta refuses in a message body (FACTS.md §4), for the Graph API fake.

The rules follow the documented limits, measured in characters as documented (the renderer
is stricter: it measures UTF-16 units). A missing or malformed parameter answers code 100 ("The
parameter ... is required"), a value out of bounds 131009 ("Parameter value is not valid"),
as Meta does. Kinds we never send (location, contacts, other interactive types) are accepted
unchecked: the fake refuses only what it knows Meta refuses.
"""

from __future__ import annotations

from typing import Any

from channels.whatsapp import limits

__all__ = ["INVALID_PARAMETER", "INVALID_VALUE", "MEDIA_KINDS", "Refusal", "check", "check_read"]

INVALID_PARAMETER = 100
INVALID_VALUE = 131009
MEDIA_KINDS = frozenset({"image", "audio", "video", "document", "sticker"})
_CAPTIONED = frozenset({"image", "video", "document"})
_UNCHECKED_KINDS = frozenset({"location", "contacts"})
_UNCHECKED_INTERACTIVE = frozenset(
    {"cta_url", "flow", "catalog_message", "location_request_message", "call_permission_request"}
)

Json = dict[str, Any]


class Refusal(Exception):
    """Meta's answer to a body it refuses: `code` and a `details` text naming the field."""

    def __init__(self, code: int, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details

    @property
    def message(self) -> str:
        title = (
            "Invalid parameter"
            if self.code == INVALID_PARAMETER
            else "Parameter value is not valid"
        )
        return f"(#{self.code}) {title}"


def check(body: Any) -> None:
    """Raise `Refusal` if Meta would refuse this message body."""
    if not isinstance(body, dict):
        raise Refusal(INVALID_PARAMETER, "the body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise Refusal(INVALID_PARAMETER, "The parameter messaging_product is required.")
    _text(body, "to", 0, "")
    if "context" in body:
        _text(_object(body, "context", ""), "message_id", 0, "context")
    kind = body.get("type")
    if kind == "text":
        _text(_object(body, "text", ""), "body", limits.TEXT_BODY, "text")
    elif kind == "interactive":
        _interactive(_object(body, "interactive", ""))
    elif kind == "template":
        _template(_object(body, "template", ""))
    elif kind in MEDIA_KINDS:
        _media(str(kind), _object(body, str(kind), ""))
    elif kind == "reaction":
        reaction = _object(body, "reaction", "")
        _text(reaction, "message_id", 0, "reaction")
        if not isinstance(reaction.get("emoji"), str):
            raise Refusal(INVALID_PARAMETER, "The parameter reaction['emoji'] is required.")
    elif kind not in _UNCHECKED_KINDS:
        raise Refusal(INVALID_PARAMETER, f"type {kind!r} is not a message type")


def check_read(body: Json) -> None:
    """Raise `Refusal` if Meta would refuse this mark-as-read body."""
    if body.get("messaging_product") != "whatsapp" or body.get("status") != "read":
        raise Refusal(INVALID_PARAMETER, "messaging_product 'whatsapp' and status 'read' required")
    _text(body, "message_id", 0, "")
    if "typing_indicator" in body and body["typing_indicator"] != {"type": "text"}:
        raise Refusal(INVALID_VALUE, "typing_indicator must be {'type': 'text'}")


# --- interactive ---------------------------------------------------------------------------


def _interactive(interactive: Json) -> None:
    kind = interactive.get("type")
    if kind in _UNCHECKED_INTERACTIVE:
        return
    if kind not in {"button", "list", "product", "product_list"}:
        raise Refusal(INVALID_PARAMETER, f"interactive type {kind!r} is not supported")
    if kind != "product" or "body" in interactive:  # the body is optional on one product
        _text(_object(interactive, "body", "interactive"), "text", limits.INTERACTIVE_BODY, "body")
    if "footer" in interactive:
        _text(_object(interactive, "footer", "interactive"), "text", limits.FOOTER_TEXT, "footer")
    if "header" in interactive or kind == "product_list":  # required on a product list
        header = _object(interactive, "header", "interactive")
        if header.get("type") == "text":
            _text(header, "text", limits.HEADER_TEXT, "header")
        elif kind in {"list", "product_list"}:
            raise Refusal(INVALID_VALUE, f"a {kind} header must be of type text")
    action = _object(interactive, "action", "interactive")
    if kind == "button":
        _buttons(action)
    elif kind == "list":
        _list(action)
    elif kind == "product":
        _text(action, "catalog_id", 0, "action")
        _text(action, "product_retailer_id", 0, "action")
    else:
        _text(action, "catalog_id", 0, "action")
        _sections(action, "product_items", limits.PRODUCTS)
        for item in _items(action, "product_items"):
            _text(item, "product_retailer_id", 0, "product_items[]")


def _buttons(action: Json) -> None:
    buttons = _array(action, "buttons", "action", 1, limits.BUTTONS)
    titles: list[str] = []
    ids: list[str] = []
    for button in buttons:
        if button.get("type") != "reply":
            raise Refusal(INVALID_VALUE, "button type must be 'reply'")
        reply = _object(button, "reply", "buttons[]")
        titles.append(_text(reply, "title", limits.BUTTON_TITLE, "reply"))
        ids.append(_text(reply, "id", limits.BUTTON_ID, "reply"))
        if ids[-1] != ids[-1].strip():
            raise Refusal(INVALID_VALUE, "button id cannot have leading or trailing spaces")
    # Meta: "must be unique within the message" (titles), "unique identifier" (ids).
    if len(set(titles)) < len(titles) or len(set(ids)) < len(ids):
        raise Refusal(INVALID_VALUE, "button titles and ids must be unique")


def _list(action: Json) -> None:
    _text(action, "button", limits.LIST_BUTTON, "action")
    _sections(action, "rows", limits.LIST_ROWS)
    ids: list[str] = []
    for row in _items(action, "rows"):
        ids.append(_text(row, "id", limits.ROW_ID, "rows[]"))
        _text(row, "title", limits.ROW_TITLE, "rows[]")
        if "description" in row:
            _text(row, "description", limits.ROW_DESCRIPTION, "rows[]", required=False)
    if len(set(ids)) < len(ids):
        raise Refusal(INVALID_VALUE, "row ids must be unique")


def _sections(action: Json, items: str, total: int) -> None:
    sections = _array(action, "sections", "action", 1, limits.LIST_SECTIONS)
    for section in sections:
        if len(sections) > 1 or "title" in section:  # required once there are two sections
            _text(section, "title", limits.SECTION_TITLE, "sections[]")
        _array(section, items, "sections[]", 1, total)
    count = len(_items(action, items))
    if count > total:
        raise Refusal(INVALID_VALUE, f"{count} {items} across all sections; at most {total}")


def _items(action: Json, items: str) -> list[Json]:
    return [item for section in action["sections"] for item in section[items]]


# --- templates and media -------------------------------------------------------------------


def _template(template: Json) -> None:
    _text(template, "name", 512, "template")
    _text(_object(template, "language", "template"), "code", 0, "language")
    for component in _array(template, "components", "template", 0, 100, required=False):
        if component.get("type") not in {"header", "body", "button"}:
            raise Refusal(INVALID_VALUE, f"component type {component.get('type')!r} is unknown")
        if component["type"] == "button" and (
            component.get("sub_type") is None or component.get("index") is None
        ):
            raise Refusal(INVALID_PARAMETER, "a button component needs sub_type and index")
        for parameter in _array(component, "parameters", "component", 1, 100):
            if parameter.get("type") == "text":
                text = _text(parameter, "text", 0, "parameters[]")
                if any(char in text for char in "\n\t") or "     " in text:
                    raise Refusal(
                        INVALID_VALUE, "param text cannot have new-lines, tabs or 5 spaces"
                    )
            elif parameter.get("type") == "payload":
                _text(parameter, "payload", 0, "parameters[]")


def _media(kind: str, media: Json) -> None:
    if ("id" in media) == ("link" in media):
        raise Refusal(INVALID_PARAMETER, f"{kind} needs exactly one of id or link")
    if "link" in media and not _text(media, "link", 0, kind).startswith(("http://", "https://")):
        raise Refusal(INVALID_VALUE, f"{kind}['link'] must be an http(s) URL")
    if "id" in media:
        _text(media, "id", 0, kind)
    if "caption" in media:
        if kind not in _CAPTIONED:
            raise Refusal(INVALID_PARAMETER, f"{kind} does not take a caption")
        _text(media, "caption", limits.CAPTION, kind)
    if "filename" in media and kind != "document":
        raise Refusal(INVALID_PARAMETER, f"{kind} does not take a filename")


# --- field helpers -------------------------------------------------------------------------


def _object(parent: Json, key: str, where: str) -> Json:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise Refusal(INVALID_PARAMETER, f"The parameter {_path(where, key)} is required.")
    return value


def _array(
    parent: Json, key: str, where: str, low: int, high: int, *, required: bool = True
) -> list[Json]:
    value = parent.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Refusal(INVALID_PARAMETER, f"The parameter {_path(where, key)} is required.")
    if not low <= len(value) <= high:
        raise Refusal(INVALID_VALUE, f"{_path(where, key)} must hold {low}..{high} items")
    return value


def _text(parent: Json, key: str, limit: int, where: str, *, required: bool = True) -> str:
    """The string at `key`: present and not blank if `required`, at most `limit` (0: no limit)."""
    value = parent.get(key)
    if not isinstance(value, str) or (required and not value.strip()):
        raise Refusal(INVALID_PARAMETER, f"The parameter {_path(where, key)} is required.")
    if limit and len(value) > limit:
        raise Refusal(
            INVALID_VALUE, f"{_path(where, key)} is {len(value)} characters; at most {limit}"
        )
    return value


def _path(where: str, key: str) -> str:
    return f"{where}['{key}']" if where else key
