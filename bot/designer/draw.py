"""`wakala flows draw`: every flow as Mermaid text and as a picture (SVG or PNG).

PNG needs a rasteriser; the only one that installs from pip alone with nothing from the
system is `resvg-py` (a Rust wheel; cairosvg needs the system's libcairo), a dependency. If an
install lacks it, PNG is refused with the install command and SVG still works.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from bot.designer.graph import build_graph
from bot.designer.layout import layout
from bot.designer.mermaid import to_mermaid
from bot.designer.svg import to_svg
from dialogue import flows as flow_format
from dialogue.errors import FlowError
from dialogue.flows import load_flows

Picture = Literal["svg", "png"]
PNG_PACKAGE = "resvg-py"


class DrawError(Exception):
    """The diagrams cannot be drawn; the message says why and what to do."""


def _homes(specs: list[Any]) -> dict[str, str]:
    """Which flow declares each state (states are names or objects with a name)."""
    homes: dict[str, str] = {}
    for spec in specs:
        for state in getattr(spec, "states", ()):
            homes.setdefault(str(getattr(state, "name", state)), str(spec.name))
    return homes


def png_renderer() -> Any:
    try:
        return importlib.import_module("resvg_py")
    except ImportError:
        raise DrawError(
            f"PNG needs the optional package {PNG_PACKAGE} (`pip install {PNG_PACKAGE}`); "
            "or draw SVG, which needs nothing"
        ) from None


def draw_flows(flows_dir: Path, out: Path, picture: Picture = "svg") -> list[Path]:
    """Writes `<flow>.mmd` and `<flow>.svg` (or `.png`) per flow; returns the files written."""
    renderer = png_renderer() if picture == "png" else None
    try:
        specs: list[Any] = list(load_flows(flows_dir))
        merge = getattr(getattr(flow_format, "Flows", None), "merge", None)
        if merge is not None:  # all files together: states they name must exist somewhere
            merge(specs)
    except FlowError as exc:
        message = f"{exc} (`wakala data validate` lists every problem with its line)"
        raise DrawError(message) from exc
    names = [str(spec.name) for spec in specs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise DrawError(f"several flow files are named {twice}; give each flow its own name")
    out.mkdir(parents=True, exist_ok=True)
    homes = _homes(specs)
    written = []
    for spec in specs:
        graph = build_graph(spec, homes)
        written.append(_write(out / f"{graph.name}.mmd", to_mermaid(graph).encode()))
        svg = to_svg(layout(graph))
        if renderer is None:
            written.append(_write(out / f"{graph.name}.svg", svg.encode()))
        else:
            png = renderer.svg_to_bytes(svg_string=svg, background="#ffffff")
            written.append(_write(out / f"{graph.name}.png", bytes(png)))
    return written


def _write(path: Path, content: bytes) -> Path:
    """Only when the content changed, so the docs' timestamps and diffs stay quiet."""
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)
    return path
