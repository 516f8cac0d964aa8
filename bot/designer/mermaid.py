"""A flow as Mermaid text (stateDiagram-v2): renders on GitHub and in most docs tools.

One line per transition and source, in file order, so a changed flow shows as a small diff.
Mermaid has no "from any state": a pseudo-state `ANY` stands for it, and `ANY --> ANY` means
"stays in whichever state it was".
"""

from __future__ import annotations

import re

from bot.designer.graph import ANY, STAY, FlowGraph, Label

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_LABEL_UNSAFE = re.compile(r"[;#:\n]")  # end a statement or start an entity in Mermaid


def _ids(graph: FlowGraph) -> dict[str, str]:
    """Mermaid ids: the state names where they are plain identifiers, made unique."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in [state.name for state in graph.states] + [ANY]:
        base = "ANY" if name == ANY else _UNSAFE.sub("_", name) or "state"
        if base[0].isdigit():
            base = f"s_{base}"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        ids[name] = candidate
        taken.add(candidate)
    return ids


def _clean(text: str) -> str:
    return " ".join(_LABEL_UNSAFE.sub(" ", text).split())


def _label(label: Label) -> str:
    return _clean(label.head() + (f" / {label.tail()}" if label.tail() else ""))


def to_mermaid(graph: FlowGraph) -> str:
    ids = _ids(graph)
    lines = [
        "---",
        f"title: {graph.name}",
        "---",
        "stateDiagram-v2",
        "    %% Written by `wakala flows draw`; edit the flow's YAML, not this file.",
    ]
    for state in graph.states:
        shown = state.name if state.home is None else f"{state.name} ({state.home})"
        if ids[state.name] != state.name or state.home is not None:
            lines.append(f'    state "{_clean(shown)}" as {ids[state.name]}')
        else:
            lines.append(f"    {ids[state.name]}")
        for note in state.notes:
            lines.append(f"    {ids[state.name]} : {_clean(note)}")
    if any(arrow.source == ANY for arrow in graph.arrows):
        lines.append(f'    state "any state" as {ids[ANY]}')
    if graph.initial is not None and graph.initial in ids:
        lines.append(f"    [*] --> {ids[graph.initial]}")
    for arrow in graph.arrows:
        source = ids.get(arrow.source, ids[ANY])
        dest = source if arrow.dest == STAY else ids.get(arrow.dest, ids[ANY])
        lines.append(f"    {source} --> {dest} : {_label(arrow.label)}")
    for when, effects in graph.fallback:
        lines.append(f"    %% fallback, {when}: {', '.join(effects) or 'nothing'}")
    return "\n".join(lines) + "\n"
