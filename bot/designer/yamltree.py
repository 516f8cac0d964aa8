"""YAML with line numbers: PyYAML's node tree (`compose`) keeps where every node starts.

`yaml.safe_load` throws positions away; a finding has to say where the designer should look.
Duplicate keys are reported here too: PyYAML silently keeps the last, Rasa refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.designer.findings import Finding


def line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def scalar(node: Node | None) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else None


def pairs(node: Node | None) -> list[tuple[str, Node, Node]]:
    """(key text, key node, value node) of a mapping; nothing for any other node."""
    if not isinstance(node, MappingNode):
        return []
    return [
        (str(key.value), key, value) for key, value in node.value if isinstance(key, ScalarNode)
    ]


def get(node: Node | None, key: str) -> Node | None:
    found = None
    for name, _, value in pairs(node):
        if name == key:
            found = value  # the last one wins, as in yaml.safe_load
    return found


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def strings(node: Node | None) -> list[tuple[str, Node]]:
    """A scalar or a list of scalars (e.g. `trigger: x` or `trigger: [x, y]`), with nodes."""
    if isinstance(node, ScalarNode):
        return [(str(node.value), node)]
    return [(str(item.value), item) for item in items(node) if isinstance(item, ScalarNode)]


def to_python(node: Node) -> Any:
    return yaml.SafeLoader("").construct_document(node)


@dataclass
class Sources:
    """Reads each YAML file once; remembers which it read and what was wrong with them."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    _trees: dict[Path, Node | None] = field(default_factory=dict)

    def where(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def files(self) -> int:
        return len(self._trees)

    def tree(self, path: Path) -> Node | None:
        if path not in self._trees:
            self._trees[path] = self._compose(path)
        return self._trees[path]

    def _compose(self, path: Path) -> Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self._error(path, 0, "yaml", f"cannot read the file: {exc.strerror}", "create it")
            return None
        try:
            tree = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            at = int(mark.line) + 1 if mark else 0
            problem = " ".join(filter(None, [exc.context, exc.problem]))
            fix = "correct the YAML syntax (indentation, a missing quote or colon)"
            self._error(path, at, "yaml", f"not valid YAML: {problem}", fix)
            return None
        except yaml.YAMLError as exc:
            self._error(path, 0, "yaml", f"not valid YAML: {exc}", "correct the YAML syntax")
            return None
        if tree is not None:
            self._duplicate_keys(path, tree)
        return tree

    def _duplicate_keys(self, path: Path, node: Node) -> None:
        if isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for name, key, _ in pairs(node):
                if name in seen:
                    self._error(
                        path,
                        line(key),
                        "duplicate-key",
                        f"key {name!r} appears twice in one mapping (first at line {seen[name]}); "
                        "only the last is used and Rasa refuses the file",
                        "merge the two entries or rename one",
                    )
                seen.setdefault(name, line(key))
        if isinstance(node, MappingNode | SequenceNode):
            for child in node.value:
                for part in child if isinstance(child, tuple) else (child,):
                    self._duplicate_keys(path, part)

    def _error(self, path: Path, at: int, code: str, message: str, fix: str) -> None:
        self.findings.append(Finding(self.where(path), at, "error", code, message, fix))
