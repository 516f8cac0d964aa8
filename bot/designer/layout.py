"""Where everything goes in a flow diagram: a small layered layout, top to bottom.

Rows are the BFS layers from the initial state; within a row, states sit in the order of the
states that lead to them. Labels are waypoints, as in Graphviz: an arrow passes through its
label, which sits in the gap below the arrow's source row, and the labels of one gap are lined
up so they never overlap; the gap is as tall as its tallest label. Arrows back up to an
earlier row leave through a channel below their row, climb a lane right of the graph and
come in through a channel above their target's row, so no arrow crosses a state. Transitions
that apply in any state go to a table beside the graph instead of twenty arrows from nowhere.
Top to bottom keeps long flows readable in a docs page: it grows downwards, as pages scroll.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.designer.graph import Arrow, FlowGraph, Label
from bot.designer.scene import (
    MARGIN,
    TITLE,
    Box,
    Edge,
    Lines,
    Node,
    Scene,
    TextBlock,
    add_table,
    block_size,
    label_lines,
    node_size,
    num,
    width,
)

COL_GAP, ROW_GAP, PAD, CHANNEL, LOOP = 36.0, 40.0, 12.0, 10.0, 26.0
TOP = TITLE + MARGIN + 8
LEFT = MARGIN + 24  # room for the initial-state dot left of its state


@dataclass
class _Link:
    source: str
    dest: str
    lines: Lines
    size: tuple[float, float]
    kind: str = "down"  # down a row or more, "side" (same row), "up", or "loop"
    label: Box | None = None


def layout(graph: FlowGraph) -> Scene:
    scene = Scene(graph.name)
    states = {state.name: state for state in graph.states}
    notes = {s.name: (*s.notes, *([f"(in {s.home})"] if s.home else [])) for s in graph.states}
    layers = graph.layers()
    explicit = [a for a in graph.arrows if a.source in states and a.dest in states]
    links = _links(explicit, layers)
    rows = _rows(graph, layers, explicit)
    sizes = {name: node_size(name, notes[name]) for name in states}
    loops = {link.source: link for link in links if link.kind == "loop"}
    xs = _xs(rows, sizes, loops)
    stacks = _stacks(links, layers, xs, sizes)
    boxes = _ys(rows, sizes, loops, links, layers, xs, stacks)
    scene.nodes = [
        Node(name, boxes[name], notes[name], name == graph.initial, states[name].home is not None)
        for row in rows
        for name in row
    ]
    scene.edges, right, bottom = _edges(links, boxes, layers)
    add_table(scene, graph, right + (40 if boxes else 0), TITLE + MARGIN)
    table = scene.table_box or Box(0, 0, 0, 0)
    scene.width = max(right, table.right, width(f"flow: {graph.name}", 15) + MARGIN) + MARGIN
    scene.height = max(bottom, table.bottom) + MARGIN + 18  # room for the legend
    return scene


def _links(explicit: list[Arrow], layers: dict[str, int]) -> list[_Link]:
    """One link per pair of states, carrying the labels of every transition between them."""
    merged: dict[tuple[str, str], list[Label]] = defaultdict(list)
    for arrow in explicit:
        if arrow.label not in merged[arrow.source, arrow.dest]:
            merged[arrow.source, arrow.dest].append(arrow.label)
    links = []
    for (source, dest), labels in merged.items():
        lines = label_lines(labels)
        step = layers[dest] - layers[source]
        kind = "loop" if source == dest else "down" if step > 0 else "side" if step == 0 else "up"
        links.append(_Link(source, dest, lines, block_size(lines), kind))
    return links


def _rows(graph: FlowGraph, layers: dict[str, int], explicit: list[Arrow]) -> list[list[str]]:
    """States per layer, each placed near the mean position of the states that lead to it."""
    order = {state.name: index for index, state in enumerate(graph.states)}
    by_layer: dict[int, list[str]] = defaultdict(list)
    for name in order:
        by_layer[layers[name]].append(name)
    rows: list[list[str]] = []
    place: dict[str, float] = {}
    for depth in sorted(by_layer):

        def key(name: str) -> tuple[float, int]:
            before = [place[a.source] for a in explicit if a.dest == name and a.source in place]
            return (sum(before) / len(before) if before else float(len(place)), order[name])

        names = sorted(by_layer[depth], key=key)
        place.update((name, float(index)) for index, name in enumerate(names))
        rows.append(names)
    return rows


def _xs(
    rows: list[list[str]], sizes: dict[str, tuple[float, float]], loops: dict[str, _Link]
) -> dict[str, float]:
    """Each state's left edge; rows centred on the widest; room right of states with a loop."""

    def slot(name: str) -> float:
        return sizes[name][0] + (LOOP + 8 + loops[name].size[0] if name in loops else 0)

    widths = [sum(slot(n) for n in row) + COL_GAP * (len(row) - 1) for row in rows]
    widest = max(widths, default=0.0)
    xs: dict[str, float] = {}
    for row, row_width in zip(rows, widths, strict=True):
        x = LEFT + (widest - row_width) / 2
        for name in row:
            xs[name] = x
            x += slot(name) + COL_GAP
    return xs


def _stacks(
    links: list[_Link],
    layers: dict[str, int],
    xs: dict[str, float],
    sizes: dict[str, tuple[float, float]],
) -> dict[int, list[_Link]]:
    """Per gap (below each row): its labels, left to right, each near its arrow's middle."""

    def centre(name: str) -> float:
        return xs[name] + sizes[name][0] / 2

    def wanted(link: _Link) -> float:
        if link.kind == "up":
            return centre(link.source)
        return (centre(link.source) + centre(link.dest)) / 2

    stacks: dict[int, list[_Link]] = defaultdict(list)
    for link in links:
        if link.kind != "loop" and link.lines:
            stacks[layers[link.source]].append(link)
    for stack in stacks.values():
        stack.sort(key=lambda link: (wanted(link), link.source, link.dest))
        right = MARGIN
        for link in stack:
            x = max(wanted(link) - link.size[0] / 2, right)
            link.label = Box(x, 0.0, *link.size)  # y is known once the rows are stacked
            right = x + link.size[0] + 8
    return stacks


def _ys(
    rows: list[list[str]],
    sizes: dict[str, tuple[float, float]],
    loops: dict[str, _Link],
    links: list[_Link],
    layers: dict[str, int],
    xs: dict[str, float],
    stacks: dict[int, list[_Link]],
) -> dict[str, Box]:
    """Rows top to bottom; below each, its labels, then channels for arrows going back up."""
    ups_out: dict[int, int] = defaultdict(int)
    ups_in: dict[int, int] = defaultdict(int)
    for link in links:
        if link.kind == "up":
            ups_out[layers[link.source]] += 1
            ups_in[layers[link.dest]] += 1
    boxes: dict[str, Box] = {}
    y = TOP
    for index, row in enumerate(rows):
        y += ups_in[index] * CHANNEL
        tall = max(max(sizes[n][1], loops[n].size[1] if n in loops else 0) for n in row)
        for name in row:
            w, h = sizes[name]
            boxes[name] = Box(xs[name], y + (tall - h) / 2, w, h)
        y += tall
        stack = stacks.get(index, [])
        zone = max((link.size[1] for link in stack), default=0.0)
        for link in stack:
            assert link.label is not None
            link.label = Box(link.label.x, y + PAD, link.label.w, link.label.h)
        y += max(ROW_GAP, zone + 2 * PAD) + ups_out[index] * CHANNEL
    return boxes


def _edges(
    links: list[_Link], boxes: dict[str, Box], layers: dict[str, int]
) -> tuple[list[Edge], float, float]:
    """Paths for every link; returns them and the right and bottom of everything drawn."""
    right = max([MARGIN, *(b.right for b in boxes.values())])
    right = max([right, *(lk.label.right for lk in links if lk.label)])
    bottom = max([TOP, *(b.bottom for b in boxes.values())])
    bottom = max([bottom, *(lk.label.bottom for lk in links if lk.label)])
    for link in links:
        if link.kind == "loop":
            box = boxes[link.source]
            link.label = Box(box.right + LOOP + 4, box.cy - link.size[1] / 2, *link.size)
            right = max(right, link.label.right)
    lanes = right + 16
    channels = _channels(links, boxes, layers)
    edges = []
    for index, link in enumerate(link for link in links if link.kind == "up"):
        out_y, in_y = channels[link.source, link.dest]
        edges.append(_up(link, boxes, lanes + index * CHANNEL, out_y, in_y))
        right, bottom = lanes + index * CHANNEL, max(bottom, out_y)
    for link in links:
        if link.kind != "up":
            edges.append(_edge(link, boxes))
    return edges, right, bottom


def _channels(
    links: list[_Link], boxes: dict[str, Box], layers: dict[str, int]
) -> dict[tuple[str, str], tuple[float, float]]:
    """The y of each upward link's way out (below its row's labels) and way in."""
    row_bottom: dict[int, float] = defaultdict(float)
    row_top: dict[int, float] = {}
    for name, box in boxes.items():
        row_bottom[layers[name]] = max(row_bottom[layers[name]], box.bottom)
        row_top[layers[name]] = min(row_top.get(layers[name], box.y), box.y)
    for link in links:
        if link.label is not None and link.kind != "loop":
            row = layers[link.source]
            row_bottom[row] = max(row_bottom[row], link.label.bottom)
    used_out: dict[int, int] = defaultdict(int)
    used_in: dict[int, int] = defaultdict(int)
    found = {}
    for link in links:
        if link.kind == "up":
            out, into = layers[link.source], layers[link.dest]
            used_out[out] += 1
            used_in[into] += 1
            y_out = row_bottom[out] + PAD / 2 + CHANNEL * used_out[out]
            found[link.source, link.dest] = (y_out, row_top[into] - CHANNEL * used_in[into])
    return found


def _up(link: _Link, boxes: dict[str, Box], lane: float, out_y: float, in_y: float) -> Edge:
    a, b = boxes[link.source], boxes[link.dest]
    spot = link.label
    if spot is not None:
        start = _curve((a.cx, a.bottom), (spot.cx, spot.y)) + f" L{num(spot.cx)},{num(out_y)}"
    else:
        start = f"M{num(a.cx)},{num(a.bottom)} L{num(a.cx)},{num(out_y)}"
    corners = [(lane, out_y), (lane, in_y), (b.cx, in_y), (b.cx, b.y)]
    path = start + "".join(f" L{num(x)},{num(y)}" for x, y in corners)
    return Edge(path, TextBlock(spot, link.lines) if spot else None)


def _edge(link: _Link, boxes: dict[str, Box]) -> Edge:
    a, b = boxes[link.source], boxes[link.dest]
    spot = link.label
    if link.kind == "loop":
        path = (
            f"M{num(a.right)},{num(a.cy - 7)} C{num(a.right + LOOP)},{num(a.cy - 22)} "
            f"{num(a.right + LOOP)},{num(a.cy + 22)} {num(a.right)},{num(a.cy + 7)}"
        )
    elif spot is None and link.kind == "down":  # a transition with nothing to say
        path = _curve((a.cx, a.bottom), (b.cx, b.y))
    elif spot is None:  # the same, within a row: an arc below
        path = (
            f"M{num(a.cx)},{num(a.bottom)} C{num(a.cx)},{num(a.bottom + 30)} "
            f"{num(b.cx)},{num(b.bottom + 30)} {num(b.cx)},{num(b.bottom)}"
        )
    elif link.kind == "down":  # through the label, onward
        path = (
            _curve((a.cx, a.bottom), (spot.cx, spot.y))
            + f" L{num(spot.cx)},{num(spot.bottom)} "
            + _curve((spot.cx, spot.bottom), (b.cx, b.y), move=False)
        )
    else:  # within a row: down to the label and back up
        path = (
            _curve((a.cx, a.bottom), (spot.cx, spot.y))
            + " "
            + _curve((spot.cx, spot.y), (b.cx, b.bottom), move=False)
        )
    return Edge(path, TextBlock(spot, link.lines) if spot and link.lines else None)


def _curve(start: tuple[float, float], end: tuple[float, float], *, move: bool = True) -> str:
    """A vertical S-curve; with move=False it continues the path from its current point."""
    (x1, y1), (x2, y2) = start, end
    bend = max(abs(y2 - y1) / 2, 16.0) * (1 if y2 >= y1 else -1)
    head = f"M{num(x1)},{num(y1)} " if move else ""
    return head + f"C{num(x1)},{num(y1 + bend)} {num(x2)},{num(y2 - bend)} {num(x2)},{num(y2)}"
