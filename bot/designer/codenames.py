"""Names the code defines beside the domain, which flows may use too.

Actions the worker runs itself (bot.local_actions.LOCAL_ACTIONS), triggers that arrive
without the NLU (bot.understanding: exact COMMANDS and `kind:value` row ids in PAYLOADS), and
the guards conditions may name (bot.guards.GUARDS). Each is read only if the code defines it,
so the checks keep working while those modules change; tests pass their own.

The names are read from the source text when they are written out literally (they are):
importing bot.understanding would load the NLU stack and cost seconds on every validation.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def module_names(module: str, attribute: str, *, values: bool = False) -> frozenset[str] | None:
    """A dict's keys (or values) or a collection's items; None when the code lacks it.

    PAYLOADS maps a row id kind to (trigger, entity): of a tuple, the first item counts.
    """
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    literal = _literal(Path(spec.origin), attribute, values=values)
    if literal is _MISSING:
        return None
    if literal is not None:
        return _names(literal)
    value: Any = getattr(importlib.import_module(module), attribute, None)
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.values() if values else value.keys()
    return _names(value)


def _names(items: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(item[0] if isinstance(item, tuple) else item) for item in items)


_MISSING: list[Any] = []  # the module assigns no such name


def _literal(source: Path, attribute: str, *, values: bool) -> list[Any] | None:
    """The attribute's keys or values as written in the module; None if not literals."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    for statement in tree.body:
        node: ast.expr | None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, node = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, node = statement.target, statement.value
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id == attribute):
            continue
        if isinstance(node, ast.Call) and len(node.args) == 1:  # frozenset({...}), set([...])
            node = node.args[0]
        try:
            if isinstance(node, ast.Dict):
                picked = node.values if values else node.keys
                return [ast.literal_eval(item) for item in picked if item is not None]
            return list(ast.literal_eval(node)) if node is not None else None
        except ValueError:  # not literal: a function, a name
            return None
    return _MISSING


@dataclass(frozen=True, slots=True)
class CodeNames:
    actions: frozenset[str] = frozenset()
    triggers: frozenset[str] = frozenset()  # produced without the NLU
    guards: frozenset[str] | None = None  # None: no registry to check conditions against

    @classmethod
    def from_code(cls) -> CodeNames:
        triggers = frozenset[str]()
        for attribute, values in (("COMMANDS", True), ("PAYLOADS", True), ("TRIGGERS", False)):
            triggers |= module_names("bot.understanding", attribute, values=values) or frozenset()
        return cls(
            module_names("bot.local_actions", "LOCAL_ACTIONS") or frozenset(),
            triggers,
            module_names("bot.guards", "GUARDS"),
        )
