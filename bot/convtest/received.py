"""What the bot sent, read back from the Graph API message bodies the fake received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_INTERACTIVE_TYPES = {"button": "buttons", "list": "list"}


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Received:
    """One message body as a designer thinks of it: a type, a text, buttons or rows."""

    to: str
    type: str  # text | buttons | list | template | image | product | ... (format.MessageType)
    text: str  # the text body, the interactive body, a caption, a reaction's emoji
    buttons: tuple[Choice, ...] = ()
    rows: tuple[Choice, ...] = ()
    template: str | None = None
    bytes: int = 0  # the JSON body's size as the Graph API received it

    def describe(self) -> str:
        """One line: `list "Our products:" [White bread, Milk 1L]`."""
        parts = [self.type]
        if self.template:
            parts.append(self.template)
        if self.text:
            parts.append(_quote(self.text))
        if self.buttons:
            parts.append("[" + ", ".join(b.title for b in self.buttons) + "]")
        if self.rows:
            parts.append("[" + ", ".join(r.title for r in self.rows) + "]")
        return " ".join(parts)


def _quote(text: str, width: int = 160) -> str:
    shown = text if len(text) <= width else text[: width - 1] + "…"
    return '"' + shown.replace("\n", "\\n") + '"'


def _choices(action: dict[str, Any]) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    buttons = tuple(
        Choice(str(b["reply"]["id"]), str(b["reply"]["title"]))
        for b in action.get("buttons", [])
        if b.get("type") == "reply"
    )
    rows = tuple(
        Choice(str(row["id"]), str(row["title"]), str(row.get("description", "")))
        for section in action.get("sections", [])
        for row in section.get("rows", [])
    )
    return buttons, rows


def received(body: dict[str, Any], size: int = 0) -> Received:
    kind = str(body.get("type", ""))
    to = str(body.get("to", ""))
    content = body.get(kind)
    content = content if isinstance(content, dict) else {}
    if kind == "text":
        return Received(to, "text", str(content.get("body", "")), bytes=size)
    if kind == "interactive":
        shown = _INTERACTIVE_TYPES.get(str(content.get("type")), str(content.get("type")))
        buttons, rows = _choices(content.get("action") or {})
        text = str((content.get("body") or {}).get("text", ""))
        return Received(to, shown, text, buttons, rows, bytes=size)
    if kind == "template":
        return Received(to, "template", "", template=str(content.get("name", "")), bytes=size)
    if kind == "reaction":
        return Received(to, "reaction", str(content.get("emoji", "")), bytes=size)
    if kind == "location":
        text = str(content.get("name") or content.get("address") or "")
        return Received(to, "location", text, bytes=size)
    return Received(to, kind or "unknown", str(content.get("caption", "")), bytes=size)
