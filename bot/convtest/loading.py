"""Reading the YAML files and turning pydantic's errors into a designer's: file, line, where.

Files are read with PyYAML's BaseLoader, which keeps every scalar as the text written: a
shopper who types `yes`, `no` or `007` sends exactly that (YAML 1.1 would make them True,
False and 7). Typed fields (prices, stock, `staff: true`) are converted by pydantic.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

# How each list is named in messages, and which key identifies one of its items.
_LABELS = {
    "conversations": ("conversation", "name"),
    "turns": ("turn", ""),
    "bot": ("reply", ""),
    "shops": ("shop", "code"),
    "products": ("product", "sku"),
    "categories": ("category", "key"),
}
TURN_ACTIONS = ("user", "tap", "location", "image", "voice")


class FormatError(ValueError):
    """One or more problems in test files; each line names the file, line and place."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The file's data (scalars as text) and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormatError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.BaseLoader)
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormatError([f"{where}: not valid YAML: {problem}"]) from exc
    duplicates = list(_duplicate_keys(node, path))
    if duplicates:
        raise FormatError(duplicates)
    return data, node


def _duplicate_keys(node: yaml.Node | None, path: Path) -> Iterable[str]:
    """PyYAML keeps the last of two equal keys silently; a second `bot:` is a mistake."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    yield f"{path}:{key.start_mark.line + 1}: the key {key.value!r} appears twice"
                seen.add(key.value)
            yield from _duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item, path)


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The line (1-based) of the deepest node on `loc` that exists in the file."""
    line = None if node is None else node.start_mark.line + 1
    for step in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            child = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if 0 <= step < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def describe(data: Any, loc: Sequence[str | int]) -> str:
    """`conversation 2 'Greeting', turn 3 (tap: Products), reply 1, buttons` for a loc."""
    parts: list[str] = []
    container: str | None = None
    for step in loc:
        if isinstance(step, int) and container in _LABELS:
            label, key = _LABELS[container]
            item = data[step] if isinstance(data, list) and step < len(data) else None
            parts.append(f"{label} {step + 1}{_identity(item, key, container)}")
            data = item
        elif isinstance(step, str):
            if step not in _LABELS or step == loc[-1]:
                parts.append(step)
            container = step
            data = data.get(step) if isinstance(data, Mapping) else None
    return ", ".join(parts)


def _identity(item: Any, key: str, container: str | None) -> str:
    if not isinstance(item, Mapping):
        return ""
    if container == "turns":
        action = next((a for a in TURN_ACTIONS if a in item), None)
        if action is None:
            return ""
        value = item[action]
        shown = value if isinstance(value, str) and value else "…"
        return f" ({action}: {_short(shown)})"
    value = item.get(key) if key else None
    return f" {_short(value)!r}" if isinstance(value, str) else ""


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def explain(
    error: ValidationError, data: Any, node: yaml.Node | None, path: Path, vocabulary: set[str]
) -> list[str]:
    """One line per pydantic error: file:line, the place in designer's words, the fix."""
    problems = []
    errors = error.errors(include_url=False)
    failed = [tuple(item["loc"]) for item in errors if item["type"] != "too_short"]
    for item in errors:
        loc = [step for step in item["loc"] if isinstance(step, str | int)]
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "too_short":
            if any(other[: len(loc)] == tuple(loc) for other in failed):
                continue  # the items that failed were dropped: their errors say why
            message = "needs at least one entry"
        if item["type"] == "extra_forbidden":
            unknown = str(loc[-1])
            loc = loc[:-1]
            close = difflib.get_close_matches(unknown, sorted(vocabulary), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown key {unknown!r}{hint}"
        elif item["type"] == "missing":
            message = f"missing {loc[-1]!r}"
            loc = loc[:-1]
        problems.append(at(path, line_of(node, loc), describe(data, loc), message))
    return problems


def at(path: Path, line: int | None, where: str, message: str) -> str:
    place = f"{path}:{line}" if line else str(path)
    return f"{place}: {where}: {message}" if where else f"{place}: {message}"
