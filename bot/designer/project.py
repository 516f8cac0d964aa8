"""The designer's files, read once with line numbers: domain, NLU training data and flows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from bot.designer.yamltree import Sources, get, items, line, pairs, scalar

# `[izinkwa](product)` or `[yesinkwa]{"entity": …}` reads as its text, as Rasa trains on it.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True, slots=True)
class Paths:
    root: Path
    data: Path
    domain: Path
    config: Path
    flows: Path

    @classmethod
    def of(
        cls,
        root: Path,
        *,
        data: str = "nlu_data/train",
        domain: str = "domain.yml",
        config: str = "config.yml",
        flows: str = "dialogue/flows",
    ) -> Paths:
        return cls(root, root / data, root / domain, root / config, root / flows)


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # as written, annotations included
    key: str  # compared for duplicates: annotations removed, case and spacing folded
    line: int


@dataclass(frozen=True, slots=True)
class IntentBlock:
    path: Path
    line: int
    intent: str
    language: str | None
    examples: tuple[Example, ...]


@dataclass
class Domain:
    path: Path
    intents: dict[str, int] = field(default_factory=dict)  # name -> line
    slots: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    responses: dict[str, Node] = field(default_factory=dict)  # name -> its key node


@dataclass(frozen=True, slots=True)
class FlowFile:
    path: Path
    tree: Node


@dataclass
class Project:
    paths: Paths
    sources: Sources
    domain: Domain
    blocks: list[IntentBlock]
    flows: list[FlowFile]


def normalise(text: str) -> str:
    return " ".join(_ANNOTATION.sub(r"\1", text).casefold().split())


def load_project(paths: Paths) -> Project:
    sources = Sources(paths.root)
    domain = _domain(sources, paths.domain)
    blocks = [
        block
        for path in sorted(paths.data.rglob("*.yml")) + sorted(paths.data.rglob("*.yaml"))
        for block in _blocks(sources, path)
    ]
    flows = []
    for path in sorted(paths.flows.glob("*.yml")):
        tree = sources.tree(path)
        if tree is not None:
            flows.append(FlowFile(path, tree))
    return Project(paths, sources, domain, blocks, flows)


def _domain(sources: Sources, path: Path) -> Domain:
    tree = sources.tree(path)
    domain = Domain(path)
    for item in items(get(tree, "intents")):
        # `- greet` or `- greet: {use_entities: false}`
        name = scalar(item) or next((key for key, _, _ in pairs(item)), None)
        if name:
            domain.intents.setdefault(name, line(item))
    for name, key, _ in pairs(get(tree, "slots")):
        domain.slots.setdefault(name, line(key))
    for item in items(get(tree, "actions")):
        name = scalar(item) or next((key for key, _, _ in pairs(item)), None)
        if name:
            domain.actions.setdefault(name, line(item))
    for name, key, _ in pairs(get(tree, "responses")):
        domain.responses.setdefault(name, key)
    return domain


def _blocks(sources: Sources, path: Path) -> list[IntentBlock]:
    found = []
    for item in items(get(sources.tree(path), "nlu")):
        intent = scalar(get(item, "intent"))
        if intent is None:
            continue  # lookup, synonym and regex blocks carry no language
        language = scalar(get(get(item, "metadata"), "language"))
        found.append(
            IntentBlock(path, line(item), intent, language, _examples(get(item, "examples")))
        )
    return found


def _examples(node: Node | None) -> tuple[Example, ...]:
    if not isinstance(node, ScalarNode):
        return ()
    # A literal block (`examples: |`) starts on the line after its indicator and keeps every
    # line break, so line i of the value is line first + i of the file.
    first = line(node) + 1 if node.style == "|" else line(node)
    found = []
    for offset, raw in enumerate(str(node.value).splitlines()):
        text = raw.strip().removeprefix("-").strip()
        if text:
            at = first + offset if node.style == "|" else line(node)
            found.append(Example(text, normalise(text), at))
    return tuple(found)
