"""Checks on dialogue/flows/*.yml: valid flows that name only things that exist.

The files are walked as YAML trees rather than through FlowSpec's fields, so fields the flow
format gains later are still checked by name: every `trigger` must be an intent or a known
event, every `utter_…` a response, every `action_…` an action, every slot a domain slot and
every condition a guard (names the code defines count too: see codenames.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.designer.codenames import CodeNames
from bot.designer.findings import Finding, Severity
from bot.designer.project import FlowFile, Project
from bot.designer.yamltree import get, items, line, pairs, scalar, strings, to_python
from dialogue import flows as flow_format
from dialogue.errors import FlowError

EVENT_PREFIX = "event_"  # event_voice, event_location, …: non-text messages
# Triggers no intent stands for: Rasa's FallbackClassifier's intent, the capture of free text
# in a `capture:` state (dialogue/flows.py), and a bare number (bot/understanding.py).
BUILTIN_TRIGGERS = frozenset({"nlu_fallback", "captured", "number"})
_TRIGGER_KEYS = frozenset({"trigger", "triggers"})
_GUARD_KEYS = frozenset({"conditions"})
_SLOT_KEYS = frozenset({"set", "clear", "capture", "slot", "slots"})  # `set:` names them as keys
_EFFECT = re.compile(r"^(utter|action)_\w+$")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    triggers: frozenset[str]
    actions: frozenset[str]
    guards: frozenset[str] | None  # None: no guard registry to check against

    @classmethod
    def of(cls, project: Project, code: CodeNames) -> Vocabulary:
        triggers = frozenset(project.domain.intents) | without_nlu(project, code)
        return cls(triggers, frozenset(project.domain.actions) | code.actions, code.guards)


def without_nlu(project: Project, code: CodeNames) -> frozenset[str]:
    """Triggers that arrive without the NLU: button and row ids, exact commands, built-ins."""
    return button_triggers(project) | BUILTIN_TRIGGERS | code.triggers


def button_triggers(project: Project) -> frozenset[str]:
    """Button and list-row ids in the domain: a tap on `/browse_catalog` triggers
    `browse_catalog`."""
    found = set()
    for _, _, response in pairs(get(project.sources.tree(project.domain.path), "responses")):
        for variation in items(response):
            ids = [get(button, "payload") for button in items(get(variation, "buttons"))]
            ids += [get(row, "id") for row in items(get(get(variation, "custom"), "rows"))]
            for node in ids:
                payload = scalar(node) or ""
                if payload.startswith("/"):
                    found.add(payload[1:].split("{", 1)[0])
    return frozenset(found)


def flow_triggers(project: Project) -> frozenset[str]:
    return frozenset(
        name.removeprefix("/")
        for flow in project.flows
        for key, value in _keyed(flow.tree)
        if key in _TRIGGER_KEYS
        for name, _ in strings(value)
    )


def check_flows(project: Project, code: CodeNames) -> list[Finding]:
    vocabulary = Vocabulary.of(project, code)
    found: list[Finding] = []
    specs: list[Any] = []
    for flow in project.flows:
        try:
            specs.append(flow_format.FlowSpec.model_validate(to_python(flow.tree)))
        except ValidationError as exc:
            found += _invalid(project, flow, exc)
        found += _references(project, flow, vocabulary)
    if specs and len(specs) == len(project.flows):  # whole-set checks need every file valid
        found += _merged(project, specs)
        found += _unreachable(project, specs)
    found += _unused_intents(project)
    return found


def _at(
    project: Project, flow: FlowFile, node: Node, severity: Severity, code: str, msg: str, fix: str
) -> Finding:
    return Finding(project.sources.where(flow.path), line(node), severity, code, msg, fix)


def _invalid(project: Project, flow: FlowFile, exc: ValidationError) -> list[Finding]:
    return [
        _at(
            project,
            flow,
            _locate(flow.tree, error["loc"]),
            "error",
            "flow-invalid",
            f"{'.'.join(map(str, error['loc'])) or 'flow'}: "
            f"{error['msg'].removeprefix('Value error, ')}",
            "follow the flow format described in dialogue/flows.py",
        )
        for error in exc.errors()
    ]


def _locate(tree: Node, loc: tuple[int | str, ...]) -> Node:
    node = tree
    for part in loc:
        children = items(node)
        child = children[part] if isinstance(part, int) and part < len(children) else None
        child = child or (get(node, part) if isinstance(part, str) else None)
        if child is None:
            break
        node = child
    return node


def _merged(project: Project, specs: list[Any]) -> list[Finding]:
    """Problems only all files together show: one initial state, no state declared twice,
    transitions naming states of other files. Older engines had no merge: nothing to do."""
    merge = getattr(getattr(flow_format, "Flows", None), "merge", None)
    if merge is None or not specs:
        return []
    try:
        merge(specs)
    except FlowError as exc:
        message = str(exc)
        for flow in project.flows:
            message = message.replace(f"{flow.path}: ", "")
        flow, node = _quoted_node(project, message)
        return [_at(project, flow, node, "error", "flow-invalid", message, "see dialogue/flows.py")]
    return []


def _quoted_node(project: Project, message: str) -> tuple[FlowFile, Node]:
    """Where the last name a message quotes is written (the first flow file if nowhere)."""
    for name in reversed(_QUOTED.findall(message)):
        for flow in project.flows:
            node = next((n for n in _scalars(flow.tree) if n.value == name), None)
            if node is not None:
                return flow, node
    return project.flows[0], project.flows[0].tree


def _scalars(node: Node) -> Iterator[ScalarNode]:
    """Every scalar value (not key) in the tree, in file order."""
    if isinstance(node, ScalarNode):
        yield node
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, MappingNode):
        for _, value in node.value:
            yield from _scalars(value)


def _keyed(node: Node) -> Iterator[tuple[str, Node]]:
    """Every (key, value) pair anywhere in the tree."""
    for key, _, value in pairs(node):
        yield key, value
    children = [v for _, _, v in pairs(node)] if isinstance(node, MappingNode) else items(node)
    for child in children:
        yield from _keyed(child)


def _maybe(name: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _references(project: Project, flow: FlowFile, words: Vocabulary) -> list[Finding]:
    found = []
    for key, value in _keyed(flow.tree):
        if key in _TRIGGER_KEYS:
            found += _triggers(project, flow, value, words)
        if key in _SLOT_KEYS:
            named = [(k, n) for k, n, _ in pairs(value)] if key == "set" else strings(value)
            found += _slots(project, flow, named)
        if key in _GUARD_KEYS and words.guards is not None:
            found += _guards(project, flow, value, words.guards)
    return found + _effects(project, flow, words)


def _triggers(project: Project, flow: FlowFile, value: Node, words: Vocabulary) -> list[Finding]:
    domain = project.sources.where(project.domain.path)
    found = []
    for name, node in strings(value):
        bare = name.removeprefix("/")
        if bare not in words.triggers and not bare.startswith(EVENT_PREFIX):
            msg = (
                f"trigger {name!r} is not an intent in {domain}, a button id, an event "
                f"({EVENT_PREFIX}…) or one of {sorted(BUILTIN_TRIGGERS)}"
                f"{_maybe(bare, words.triggers)}"
            )
            fix = f"correct the name, or add the intent to {domain} with its examples"
            found.append(_at(project, flow, node, "error", "flow-trigger", msg, fix))
    return found


def _slots(project: Project, flow: FlowFile, named: list[tuple[str, Node]]) -> list[Finding]:
    domain = project.sources.where(project.domain.path)
    slots = frozenset(project.domain.slots)
    found = []
    for name, node in named:
        if name not in slots:
            msg = f"slot {name!r} is not in {domain}{_maybe(name, slots)}"
            fix = f"add it under `slots:` in {domain}, or correct the name"
            found.append(_at(project, flow, node, "error", "flow-slot", msg, fix))
    return found


def _guards(project: Project, flow: FlowFile, value: Node, guards: frozenset[str]) -> list[Finding]:
    found = []
    for name, node in strings(value):
        if name.lstrip("!") not in guards:
            msg = f"condition {name!r} names no guard{_maybe(name.lstrip('!'), guards)}"
            fix = "add the guard to GUARDS in bot/guards.py, or correct the name"
            found.append(_at(project, flow, node, "error", "flow-guard", msg, fix))
    return found


def _effects(project: Project, flow: FlowFile, words: Vocabulary) -> list[Finding]:
    """Every `utter_…` and `action_…` anywhere in the file: `do`, prompts, fallbacks, …"""
    domain = project.sources.where(project.domain.path)
    responses = frozenset(project.domain.responses)
    found = []
    for node in _scalars(flow.tree):
        name = str(node.value)
        if not _EFFECT.match(name):
            continue
        if name.startswith("utter_") and name not in responses:
            msg = f"response {name!r} is not in {domain}{_maybe(name, responses)}"
            fix = f"add it under `responses:` in {domain} (en, zu and st), or correct the name"
            found.append(_at(project, flow, node, "error", "flow-response", msg, fix))
        elif name.startswith("action_") and name not in words.actions:
            msg = f"action {name!r} is not in {domain} `actions:`{_maybe(name, words.actions)}"
            fix = f"add it under `actions:` in {domain} and implement it, or correct the name"
            found.append(_at(project, flow, node, "error", "flow-action", msg, fix))
    return found


def _unreachable(project: Project, specs: list[Any]) -> list[Finding]:
    entered = {spec.initial for spec in specs} | {
        transition.dest for spec in specs for transition in spec.transitions
    }
    found = []
    for flow in project.flows:
        for state in items(get(flow.tree, "states")):
            name_node = state if isinstance(state, ScalarNode) else get(state, "name")
            name = scalar(name_node)
            if name_node is not None and name is not None and name not in entered:
                msg = f"state {name!r} is never entered: no transition has it as `dest`"
                fix = f"add a transition with `dest: {name}`, or remove the state"
                finding = _at(project, flow, name_node, "warning", "state-unreachable", msg, fix)
                found.append(finding)
    return found


def _unused_intents(project: Project) -> list[Finding]:
    if not project.flows:
        return []
    used = flow_triggers(project)
    where = project.sources.where(project.domain.path)
    return [
        Finding(
            where,
            at,
            "warning",
            "intent-unused",
            f"intent {intent!r} is no trigger in any flow, so the bot answers it with the fallback",
            "add a transition with this trigger to a flow in dialogue/flows/",
        )
        for intent, at in project.domain.intents.items()
        if intent not in used
    ]
