"""A laid-out flow (layout.Scene) as an SVG document, drawn by our own code.

No Graphviz and no browser: the machine that builds the docs may have neither. The markup
is plain SVG 1.1 with a small style sheet, numbers rounded to 0.1 px, elements in a fixed
order: the same flow always gives the same bytes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from bot.designer.scene import (
    LABEL_FONT,
    LINE,
    MARGIN,
    NOTE_FONT,
    STATE_FONT,
    TABLE_HEADING,
    TABLE_SPACING,
    Scene,
    TextBlock,
)
from bot.designer.scene import num as _f

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
_STYLE = f"""
text {{ font-family: {FONT}; fill: #1d2b36; }}
.title {{ font-size: 15px; font-weight: bold; }}
.state {{ fill: #eef3f8; stroke: #4a6785; stroke-width: 1.4; }}
.foreign {{ fill: #ffffff; stroke: #8c9aa6; stroke-dasharray: 5 3; }}
.name {{ font-size: {STATE_FONT:g}px; font-weight: bold; }}
.note {{ font-size: {NOTE_FONT:g}px; fill: #5b6b78; }}
.edge {{ fill: none; stroke: #5f7485; stroke-width: 1.2; }}
.labelbg {{ fill: #ffffff; fill-opacity: 0.88; }}
.trigger {{ font-size: {LABEL_FONT:g}px; fill: #17405e; }}
.effect {{ font-size: {LABEL_FONT:g}px; fill: #6b5a2e; }}
.table {{ fill: #fbfaf4; stroke: #c9c2a3; }}
.heading {{ font-size: {LABEL_FONT:g}px; font-weight: bold; }}
.cell {{ font-size: {LABEL_FONT:g}px; }}
.legend {{ font-size: 10px; fill: #6d7a86; }}
"""
_LEGEND = (
    "black dot: where a conversation starts · dashed box: a state of another flow · "
    "[guard] must hold · / what it does, in order"
)


def _text(x: float, y: float, css: str, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" class="{css}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _block(block: TextBlock) -> list[str]:
    box = block.box
    parts = [
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" '
        'rx="3" class="labelbg"/>'
    ]
    for index, (css, line) in enumerate(block.lines):
        baseline = box.y + 2 + (index + 0.8) * LABEL_FONT * LINE
        parts.append(_text(box.x + 4, baseline, css, line))
    return parts


def to_svg(scene: Scene) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(scene.width)}" '
        f'height="{_f(scene.height)}" viewBox="0 0 {_f(scene.width)} {_f(scene.height)}">',
        f"<title>{escape(f'flow {scene.title}')}</title>",
        f"<style>{_STYLE}</style>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5f7485"/></marker>',
        "</defs>",
        f'<rect width="{_f(scene.width)}" height="{_f(scene.height)}" fill="#ffffff"/>',
        _text(MARGIN, MARGIN + 8, "title", f"flow: {scene.title}"),
    ]
    out += _nodes(scene)
    for edge in scene.edges:
        out.append(f'<path d="{edge.path}" class="edge" marker-end="url(#arrow)"/>')
    for edge in scene.edges:  # labels above every line, so no line runs through a label
        if edge.label is not None:
            out += _block(edge.label)
    out += _table(scene)
    out.append(_text(MARGIN, scene.height - MARGIN / 2, "legend", _LEGEND))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nodes(scene: Scene) -> list[str]:
    out = []
    for node in scene.nodes:
        box = node.box
        css = "state foreign" if node.foreign else "state"
        out.append(f"<g id={quoteattr('state-' + node.name)}>")
        out.append(
            f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" '
            f'rx="8" class="{css}"/>'
        )
        out.append(_text(box.cx, box.y + 19, "name", node.name, "middle"))
        for index, note in enumerate(node.notes):
            out.append(_text(box.cx, box.y + 31 + index * NOTE_FONT * LINE, "note", note, "middle"))
        if node.initial:
            out.append(f'<circle cx="{_f(box.x - 20)}" cy="{_f(box.cy)}" r="5" fill="#1d2b36"/>')
            out.append(
                f'<path d="M{_f(box.x - 15)},{_f(box.cy)} L{_f(box.x)},{_f(box.cy)}" '
                'class="edge" marker-end="url(#arrow)"/>'
            )
        out.append("</g>")
    return out


def _table(scene: Scene) -> list[str]:
    box = scene.table_box
    if box is None:
        return []
    out = [
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" '
        'rx="4" class="table"/>'
    ]
    step = LABEL_FONT * LINE * TABLE_SPACING
    heading = tuple((cell,) for cell in TABLE_HEADING)
    line = 0
    for index, row in enumerate([heading, *scene.table]):
        css = "heading" if index == 0 else "cell"
        for x, cell in zip(scene.table_columns, row, strict=True):
            for offset, text in enumerate(cell):
                out.append(_text(x, box.y + 6 + (line + offset + 0.8) * step, css, text))
        line += max(len(cell) for cell in row)
    return out
