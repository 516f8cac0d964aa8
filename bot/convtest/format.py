"""The conversation-test format: a file holds `conversations:`, each a list of turns.

    conversations:
      - name: English greeting, then the products
        tenant: CT-SPAZA            # a shop code from the shops fixture
        sender: "27831000001"       # the shopper's WhatsApp number
        language: en                # en | zu | st | mixed
        turns:
          - user: hi                # or tap: / location: / image: / voice:
            bot:
              - text: "Hi! Welcome to Mama Zodwa's Spaza. What would you like?"
                buttons: [Products, My cart, Help]
          - tap: Products
            bot:
              - response: utter_product_list
                list: [White bread, Milk 1L]

See docs/conversation-tests.md for every key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.convtest.loading import TURN_ACTIONS, FormatError, explain, line_of, read_yaml
from commerce.errors import InvalidInput
from commerce.tenants import normalise_phone

# The recipient of the runner's fences (see completion.py): no conversation may use it.
FENCE_NUMBER = "27000000000"
Language = Literal["en", "zu", "st", "mixed"]
MessageType = Literal[
    "text",
    "buttons",
    "list",
    "template",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "product",
    "product_list",
    "reaction",
    "location",
    "contacts",
]


def _phone(value: Any) -> Any:
    if not isinstance(value, str | int):
        return value
    try:
        return normalise_phone(str(value))
    except InvalidInput as exc:
        raise ValueError(str(exc)) from exc


def _strings(value: Any) -> Any:
    """A single string where a list is expected means a list of one."""
    return [value] if isinstance(value, str) else value


Phone = Annotated[str, BeforeValidator(_phone)]
Strings = Annotated[tuple[str, ...], BeforeValidator(_strings)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Expected(_Strict):
    """One message the bot must send, in order; every key given must hold."""

    text: str | None = None  # the whole text, exactly
    contains: Strings | None = None  # each of these pieces appears in the text
    matches: str | None = None  # a regular expression found in the text (re.search)
    buttons: Strings | None = None  # reply-button titles, in order
    rows: Strings | None = Field(default=None, alias="list")  # list-row titles, in order
    type: MessageType | None = None
    template: str | None = None  # the template's name
    response: str | None = None  # a domain.yml response, in the expected language
    to: Phone | None = None  # another recipient (staff, a notified shopper); default: the sender
    nothing: bool = False  # the bot must send nothing (to `to`, or to the sender)

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"`matches` is not a valid regular expression: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _checks_something(self) -> Expected:
        checks = self.checks()
        if self.nothing and checks:
            raise ValueError(f"`nothing: true` cannot be combined with {', '.join(checks)}")
        if not self.nothing and not checks:
            raise ValueError(
                "this reply checks nothing; give text, contains, matches, buttons, list, type, "
                "template or response (or `nothing: true`)"
            )
        return self

    def checks(self) -> list[str]:
        names = ("text", "contains", "matches", "buttons", "rows", "type", "template", "response")
        return [
            "list" if name == "rows" else name for name in names if getattr(self, name) is not None
        ]


class LocationPin(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class Image(_Strict):
    caption: str | None = None
    mime_type: str = "image/jpeg"


class Voice(_Strict):
    mime_type: str = "audio/ogg; codecs=opus"


class Turn(_Strict):
    """One thing the user does, and every message the bot must answer with."""

    user: str | None = None  # free text
    tap: str | None = None  # a button or list row (its id or its title) the bot showed
    location: LocationPin | None = None
    image: Image | None = None
    voice: Voice | None = None
    sender: Phone | None = None  # someone else writes this turn (e.g. a staff number)
    language: Language | None = None  # replies are in this language from this turn on
    bot: tuple[Expected, ...]

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for media in ("image", "voice"):  # `voice:` alone, `voice: true`, `image: a caption`
            value = data.get(media)
            if media in data and (value in ("", "true", True) or value is None):
                data[media] = {}
            elif media == "image" and isinstance(value, str):
                data[media] = {"caption": value}
        if "bot" not in data:
            raise ValueError(
                "no `bot:`; list the replies you expect, or `- nothing: true` if the bot must "
                "stay silent"
            )
        if isinstance(data["bot"], dict):
            data["bot"] = [data["bot"]]
        if data["bot"] in ([], ""):
            raise ValueError("`bot:` is empty; write `- nothing: true` if the bot must stay silent")
        return data

    @model_validator(mode="after")
    def _one_action(self) -> Turn:
        given = [name for name in TURN_ACTIONS if getattr(self, name) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none"
            raise ValueError(f"a turn needs exactly one of {', '.join(TURN_ACTIONS)} (got {found})")
        silent = {e.to for e in self.bot if e.nothing}
        for expected in self.bot:
            if not expected.nothing and expected.to in silent:
                raise ValueError("`nothing: true` for a recipient that also has replies listed")
        return self

    @property
    def action(self) -> str:
        return next(name for name in TURN_ACTIONS if getattr(self, name) is not None)

    def summary(self) -> str:
        """`user: hi`, `tap: Products`, `voice`: how reports name the turn."""
        match self.action:
            case "user":
                return f"user: {self.user}"
            case "tap":
                return f"tap: {self.tap}"
            case "location" if self.location is not None:
                return (
                    f"location: {self.location.name or f'{self.location.lat},{self.location.lon}'}"
                )
            case "image" if self.image is not None and self.image.caption:
                return f"image: {self.image.caption}"
        return self.action


class Conversation(_Strict):
    name: str = Field(min_length=1)
    tenant: str = Field(min_length=1)  # a shop code from the shops fixture
    sender: Phone
    language: Language
    staff: bool = False  # the sender is one of the shop's staff numbers
    # A new shopper meets the consent notice first; otherwise the runner records their
    # consent before the first turn, so a conversation about the cart starts at the menu.
    new_shopper: bool = False
    turns: tuple[Turn, ...] = Field(min_length=1)


class ConversationFile(_Strict):
    conversations: tuple[Conversation, ...] = Field(min_length=1)


VOCABULARY = (
    set(Expected.model_fields)
    | {"list"}
    | set(Turn.model_fields)
    | set(LocationPin.model_fields)
    | set(Image.model_fields)
    | set(Voice.model_fields)
    | set(Conversation.model_fields)
    | set(ConversationFile.model_fields)
)


@dataclass(frozen=True, slots=True)
class Case:
    """A conversation with where it came from."""

    path: Path
    index: int  # 0-based, in its file
    line: int | None
    conversation: Conversation

    @property
    def name(self) -> str:
        return self.conversation.name

    def numbers(self) -> list[str]:
        """Every number that writes in this conversation (the sender first)."""
        found = [self.conversation.sender]
        found += [t.sender for t in self.conversation.turns if t.sender and t.sender not in found]
        return found


def load_file(path: Path) -> list[Case]:
    """The conversations of one file; a `FormatError` lists every problem in it."""
    data, node = read_yaml(path)
    if not isinstance(data, dict) or "conversations" not in data:
        raise FormatError([f"{path}: expected a top-level `conversations:` list"])
    try:
        parsed = ConversationFile.model_validate(data)
    except ValidationError as exc:
        raise FormatError(explain(exc, data, node, path, VOCABULARY)) from exc
    return [
        Case(path, index, line_of(node, ["conversations", index]), conversation)
        for index, conversation in enumerate(parsed.conversations)
    ]


def load_files(paths: Sequence[Path]) -> list[Case]:
    """Every file's conversations; problems from all files are reported together."""
    cases: list[Case] = []
    problems: list[str] = []
    for path in paths:
        try:
            cases += load_file(path)
        except FormatError as exc:
            problems += exc.problems
    if problems:
        raise FormatError(problems)
    return cases


def conversation_files(paths: Sequence[Path], *, exclude: Sequence[Path] = ()) -> list[Path]:
    """Files named directly, and the *.yml/*.yaml files under directories, sorted."""
    skipped = {p.resolve() for p in exclude}
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.y*ml") if p.suffix in {".yml", ".yaml"})
        elif path.exists():
            found.append(path)
        else:
            raise FormatError([f"{path}: no such file or directory"])
    return [p for p in dict.fromkeys(found) if p.resolve() not in skipped]
