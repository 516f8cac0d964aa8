"""Read labelled examples from Rasa NLU YAML, with inline entity annotations resolved.

The app never imports Rasa, so this reads the subset of Rasa's format that the training
data uses: intent blocks with `metadata: {language: ..}` (intent or example level) and
`examples` as a block string or a list of {text, metadata}; annotations `[text](entity)`,
`[text](entity:value)` and `[text]{"entity": .., "value": ..}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Rasa's own pattern (rasa/shared/nlu/training_data/entities_parser.py), less list annotations.
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<dict>[^}]+?)\})"
)


@dataclass(frozen=True)
class GoldEntity:
    entity: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    entities: tuple[GoldEntity, ...] = field(default=())
    source: str = ""


def parse_annotated(raw: str) -> tuple[str, tuple[GoldEntity, ...]]:
    """Plain text and entities of one annotated example line."""
    text_parts: list[str] = []
    entities: list[GoldEntity] = []
    cursor = length = 0
    for match in _ANNOTATION.finditer(raw):
        before = raw[cursor : match.start()]
        text_parts.append(before)
        length += len(before)
        shown = match.group("text")
        if match.group("dict"):
            details: dict[str, Any] = json.loads("{" + match.group("dict") + "}")
            entity, value = str(details.get("entity")), str(details.get("value", shown))
        else:
            entity, value = str(match.group("entity")), match.group("value") or shown
        entities.append(GoldEntity(entity, length, length + len(shown), value))
        text_parts.append(shown)
        length += len(shown)
        cursor = match.end()
    text_parts.append(raw[cursor:])
    return "".join(text_parts), tuple(entities)


def read_examples(directory: Path) -> list[Example]:
    """Every intent example under `directory` (recursively), in file order."""
    examples: list[Example] = []
    for path in sorted(directory.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            if "intent" in block:
                examples.extend(_block_examples(block, str(path.relative_to(directory))))
    return examples


def _block_examples(block: dict[str, Any], source: str) -> list[Example]:
    block_language = _language(block.get("metadata"))
    raw = block.get("examples") or []
    items: list[tuple[str, str | None]] = []
    if isinstance(raw, str):
        items = [(line.strip()[2:], None) for line in raw.splitlines() if line.strip()[:2] == "- "]
    else:
        items = [(str(item.get("text", "")), _language(item.get("metadata"))) for item in raw]
    examples = []
    for line, own_language in items:
        text, entities = parse_annotated(line.strip())
        if text.strip():
            language = own_language or block_language or "und"
            examples.append(Example(text, str(block["intent"]), language, entities, source))
    return examples


def _language(metadata: Any) -> str | None:
    if isinstance(metadata, dict) and isinstance(metadata.get("language"), str):
        return str(metadata["language"])
    return None
