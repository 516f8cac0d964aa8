"""A flow as a drawable graph: states, arrows between them, and what applies in any state.

Reads FlowSpec defensively (getattr with defaults) so drawing keeps working while the flow
format grows: states may be names or objects with `name`, `prompt`, `locked`, …; a flow file
may lack `initial` (one file names it); transitions may name states of other files.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ANY = "*"
STAY = "="


@dataclass(frozen=True, slots=True)
class Label:
    triggers: tuple[str, ...]
    conditions: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    resume: bool = False

    def head(self) -> str:
        guard = f" [{', '.join(self.conditions)}]" if self.conditions else ""
        return f"{', '.join(self.triggers)}{guard}"

    def tail(self) -> str:
        effects = ", ".join(self.effects)
        return f"{effects}{' (resume)' if self.resume else ''}".strip()


@dataclass(frozen=True, slots=True)
class Arrow:
    source: str  # a state, or ANY
    dest: str  # a state, or STAY (only from ANY: "stays in whichever state it was")
    label: Label


@dataclass(frozen=True, slots=True)
class State:
    name: str
    notes: tuple[str, ...] = ()  # locked, silent, prompt: utter_x, capture: slot, …
    home: str | None = None  # the flow that declares it, when not this one


@dataclass(frozen=True, slots=True)
class FlowGraph:
    name: str
    initial: str | None
    states: tuple[State, ...]  # declared here first, then states of other flows it names
    arrows: tuple[Arrow, ...]  # in file order; one per (transition, source)
    fallback: tuple[tuple[str, tuple[str, ...]], ...]  # ("first miss", effects), …

    def layers(self) -> dict[str, int]:
        return layer_states(self)


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def _state(item: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(item, str):
        return item, ()
    notes = [flag for flag in ("locked", "silent") if getattr(item, flag, False)]
    for field in ("prompt", "capture"):
        value = getattr(item, field, None)
        if value:
            notes.append(f"{field}: {value}")
    fallback = _names(getattr(item, "fallback", None))
    if fallback:
        notes.append(f"fallback: {', '.join(fallback)}")
    return str(getattr(item, "name", item)), tuple(notes)


def build_graph(spec: Any, homes: dict[str, str] | None = None) -> FlowGraph:
    """`homes`: which flow declares each state, for states this flow names but does not own."""
    declared = [_state(item) for item in getattr(spec, "states", ())]
    own = {name for name, _ in declared}
    arrows: list[Arrow] = []
    for transition in getattr(spec, "transitions", ()):
        label = Label(
            _names(getattr(transition, "trigger", ())),
            _names(getattr(transition, "conditions", ())),
            _names(getattr(transition, "do", ())),
            bool(getattr(transition, "resume", False)),
        )
        dest = str(getattr(transition, "dest", STAY))
        for source in _names(getattr(transition, "source", ANY)):
            target = source if dest == STAY and source != ANY else dest
            arrows.append(Arrow(source, target, label))
    initial = getattr(spec, "initial", None)
    foreign = _unique(
        name
        for arrow in arrows
        for name in (arrow.source, arrow.dest)
        if name not in own and name not in (ANY, STAY)
    )
    states = [State(name, notes) for name, notes in declared]
    states += [State(name, (), (homes or {}).get(name, "another flow")) for name in foreign]
    return FlowGraph(
        str(getattr(spec, "name", "flow")),
        str(initial) if initial else None,
        tuple(states),
        tuple(arrows),
        _fallback(getattr(spec, "fallback", None)),
    )


def _fallback(spec: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if spec is None:
        return ()
    first = _names(getattr(spec, "do", ()))
    then = _names(getattr(spec, "then", None))
    if not then:
        return (("anything else", first),)
    return (("anything else", first), ("again", then))


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def layer_states(graph: FlowGraph) -> dict[str, int]:
    """Layers by breadth-first search from the initial state over explicit arrows.

    States entered only from "any state" come next (one step from anywhere), then whatever is
    left, in declaration order. The result depends only on the flow, never on set order.
    """
    order = [state.name for state in graph.states]
    following: dict[str, list[str]] = {name: [] for name in order}
    for arrow in graph.arrows:
        if arrow.source in following and arrow.dest in following and arrow.dest != arrow.source:
            following[arrow.source].append(arrow.dest)
    layers: dict[str, int] = {}
    anywhere = _unique(a.dest for a in graph.arrows if a.source == ANY and a.dest in following)
    first = 0
    if graph.initial in following:
        _spread(layers, [graph.initial], 0, following)
        first = 1
    _spread(layers, [name for name in anywhere if name not in layers], first, following)
    for name in order:
        if name not in layers:
            _spread(layers, [name], 0, following)
    return layers


def _spread(
    layers: dict[str, int], roots: Sequence[str], depth: int, following: dict[str, list[str]]
) -> None:
    queue = deque((root, depth) for root in roots)
    for root in roots:
        layers.setdefault(root, depth)
    while queue:
        name, at = queue.popleft()
        for nxt in following[name]:
            if nxt not in layers:
                layers[nxt] = at + 1
                queue.append((nxt, at + 1))
