"""What a flow diagram is made of once laid out: boxes, paths and text, in pixels.

Sizes come from character counts in a monospace font (no font metrics needed), so the same
flow always gives the same picture on every machine.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from bot.designer.graph import ANY, STAY, FlowGraph, Label

CHAR = 0.6  # a monospace glyph's advance, in em
STATE_FONT, NOTE_FONT, LABEL_FONT = 13.0, 10.0, 11.0
LINE = 1.3  # line height, in em
MARGIN, TITLE = 24.0, 34.0
WRAP, TABLE_WRAP = 34, 44  # characters per line in labels and table cells
TABLE_HEADING = ("in any state", "goes to", "does")
TABLE_SPACING = 1.25  # table rows are a little looser than label lines

Lines = tuple[tuple[str, str], ...]  # (css class, text) per line
Cell = tuple[str, ...]  # the lines of one table cell


def width(text: str, size: float) -> float:
    return len(text) * size * CHAR


def num(value: float) -> str:
    """Numbers in the SVG: rounded, so float noise never changes a byte."""
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    box: Box
    notes: tuple[str, ...]
    initial: bool
    foreign: bool  # declared by another flow


@dataclass(frozen=True, slots=True)
class TextBlock:
    box: Box
    lines: Lines


@dataclass(frozen=True, slots=True)
class Edge:
    path: str  # SVG path data
    label: TextBlock | None


@dataclass
class Scene:
    title: str
    width: float = 0.0
    height: float = 0.0
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    table: list[tuple[Cell, Cell, Cell]] = field(default_factory=list)  # when, goes to, does
    table_box: Box | None = None
    table_columns: tuple[float, ...] = ()  # x of each column


def label_lines(labels: list[Label]) -> Lines:
    lines: list[tuple[str, str]] = []
    for label in labels:
        lines += [("trigger", part) for part in textwrap.wrap(label.head(), WRAP)]
        if label.tail():
            lines += [("effect", part) for part in textwrap.wrap(f"/ {label.tail()}", WRAP)]
    return tuple(lines)


def block_size(lines: Lines) -> tuple[float, float]:
    if not lines:
        return 0.0, 0.0
    return max(width(text, LABEL_FONT) for _, text in lines) + 8, len(lines) * LABEL_FONT * LINE + 4


def node_size(name: str, notes: tuple[str, ...]) -> tuple[float, float]:
    w = max([width(name, STATE_FONT), *(width(n, NOTE_FONT) for n in notes)]) + 24
    return max(w, 96.0), 30 + len(notes) * NOTE_FONT * LINE


def add_table(scene: Scene, graph: FlowGraph, x: float, y: float) -> None:
    """What applies in any state, and what happens when nothing matches."""
    for arrow in graph.arrows:
        if arrow.source == ANY:
            dest = "(stays)" if arrow.dest == STAY else f"-> {arrow.dest}"
            scene.table.append(_row(arrow.label.head(), dest, arrow.label.tail()))
    for when, effects in graph.fallback:
        scene.table.append(_row(f"({when})", "(stays)", ", ".join(effects)))
    if not scene.table:
        return
    rows = [tuple((cell,) for cell in TABLE_HEADING), *scene.table]
    widths = [max(width(ln, LABEL_FONT) for row in rows for ln in row[i]) + 16 for i in range(3)]
    scene.table_columns = (x + 8, x + 8 + widths[0], x + 8 + widths[0] + widths[1])
    lines = sum(max(len(cell) for cell in row) for row in rows)
    scene.table_box = Box(x, y, sum(widths) + 8, lines * LABEL_FONT * LINE * TABLE_SPACING + 10)


def _row(when: str, dest: str, does: str) -> tuple[Cell, Cell, Cell]:
    return (
        tuple(textwrap.wrap(when, TABLE_WRAP)) or ("",),
        (dest,),
        tuple(textwrap.wrap(does, TABLE_WRAP)) or ("",),
    )
