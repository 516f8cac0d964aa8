"""Responses from the Rasa domain, chosen by the shopper's language and rendered to messages.

A response in `domain.yml` has variations; a variation with the condition
`{type: slot, name: language, value: zu}` is the isiZulu one, and the variation without a
condition is English. Text is filled from variables with Rasa's `{name}` syntax. Buttons
become reply buttons; `elements` (rows an action supplies) become a list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from dialogue.errors import ResponseError
from dialogue.messages import (
    Button,
    ButtonsReply,
    ListReply,
    ListRow,
    ListSection,
    OutgoingMessage,
    TextReply,
)

DEFAULT_LANGUAGE = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _variation_language(variation: Mapping[str, Any]) -> str:
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "language":
            return str(condition.get("value"))
    return DEFAULT_LANGUAGE


def _fill(template: str, variables: Mapping[str, Any]) -> str:
    # A missing variable stays visible as {name} so a designer spots it, as Rasa does.
    return _PLACEHOLDER.sub(
        lambda match: str(variables.get(match.group(1), match.group(0))), template
    )


class Responses:
    def __init__(self, responses: Mapping[str, list[Mapping[str, Any]]]) -> None:
        self._by_language: dict[str, dict[str, Mapping[str, Any]]] = {}
        for name, variations in responses.items():
            chosen = self._by_language.setdefault(name, {})
            for variation in variations:
                chosen.setdefault(_variation_language(variation), variation)

    @classmethod
    def from_domain(cls, path: Path) -> Responses:
        try:
            domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ResponseError(f"{path}: cannot read the domain: {exc}") from exc
        return cls(domain.get("responses") or {})

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._by_language)

    def languages(self, name: str) -> frozenset[str]:
        return frozenset(self._by_language.get(name, {}))

    def variation(self, name: str, language: str) -> Mapping[str, Any]:
        variations = self._by_language.get(name)
        if not variations:
            raise ResponseError(f"response {name!r} is not in the domain; add it under responses")
        found = variations.get(language) or variations.get(DEFAULT_LANGUAGE)
        if found is None:
            raise ResponseError(f"response {name!r} has no {language!r} or English variation")
        return found

    def text(self, name: str, language: str, variables: Mapping[str, Any] | None = None) -> str:
        """Just the filled-in text of a response (for button labels and composed replies)."""
        return _fill(str(self.variation(name, language).get("text", "")), variables or {})

    def render(
        self,
        name: str,
        language: str,
        variables: Mapping[str, Any] | None = None,
        elements: list[Mapping[str, Any]] | None = None,
    ) -> OutgoingMessage:
        variation = self.variation(name, language)
        values = variables or {}
        text = _fill(str(variation.get("text", "")), values)
        custom: Mapping[str, Any] = variation.get("custom") or {}
        # Rows an action supplies, then the variation's own rows (e.g. "Checkout"), whose
        # titles are in the variation's language. `elements: false` keeps a reply short text.
        supplied = list(elements or []) if custom.get("elements", True) else []
        extra = [
            {**row, "title": _fill(str(row["title"]), values)} for row in custom.get("rows", [])
        ]
        if supplied or extra:
            rows = tuple(
                ListRow(
                    id=_fill(str(item["id"]), values),
                    title=str(item["title"]),
                    description=str(item.get("description", "")),
                )
                for item in [*supplied, *extra]
            )
            return ListReply(
                text=text,
                button=_fill(str(custom.get("list_button", "☰")), values),
                sections=(
                    ListSection(title=_fill(str(custom.get("section", "")), values), rows=rows),
                ),
            )
        buttons = variation.get("buttons") or []
        if buttons:
            return ButtonsReply(
                text=text,
                buttons=tuple(
                    Button(
                        id=_fill(str(b["payload"]), values), title=_fill(str(b["title"]), values)
                    )
                    for b in buttons
                ),
                list_button=custom.get("list_button"),
            )
        return TextReply(text=text)
