"""`wakala flows draw`: Mermaid and SVG that show every state and trigger, laid out without
overlaps, byte-identical from run to run."""

from __future__ import annotations

import itertools
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.designer.draw import DrawError, draw_flows
from bot.designer.graph import ANY, build_graph
from bot.designer.layout import layout
from bot.designer.mermaid import to_mermaid
from bot.designer.scene import Box
from dialogue.flows import FlowSpec, load_flows
from tests.unit.designer.sample import FLOW

SVG = "{http://www.w3.org/2000/svg}"
OTHER = """\
name: extra
states: [help_desk]
transitions:
  - trigger: human_handoff
    source: "*"
    dest: help_desk
  - trigger: [bot_resume, thanks]
    source: help_desk
    dest: start
    do: [utter_greet]
"""


def chain(states: int) -> FlowSpec:
    """A long checkout-like flow: a chain with branches, loops and ways back."""
    names = [f"step_{n}" for n in range(states)]
    transitions: list[dict[str, object]] = [
        {"trigger": f"next_{n}", "source": a, "dest": b, "do": [f"utter_step_{n}"]}
        for n, (a, b) in enumerate(itertools.pairwise(names))
    ]
    transitions += [
        {"trigger": f"skip_{n}", "source": names[n], "dest": names[n + 2]}
        for n in range(0, states - 2, 3)
    ]
    transitions += [
        {"trigger": ["back", "cancel"], "source": names[n], "dest": names[0], "do": ["utter_x"]}
        for n in range(4, states, 5)
    ]
    transitions += [
        {"trigger": "again", "source": names[n], "dest": "="} for n in (2, 9) if n < states
    ]
    transitions += [{"trigger": "help", "source": "*", "do": ["utter_help"]}]
    return FlowSpec.model_validate(
        {"name": "long", "initial": names[0], "states": names, "transitions": transitions}
    )


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "main.yml").write_text(FLOW, encoding="utf-8")
    (folder / "extra.yml").write_text(OTHER, encoding="utf-8")
    return folder


def texts(svg: Path) -> str:
    root = ET.parse(svg).getroot()  # also proves the file is well-formed XML
    assert root.tag == f"{SVG}svg"
    return "\n".join(node.text or "" for node in root.iter(f"{SVG}text"))


def test_every_flow_gets_mermaid_and_svg(flows: Path, tmp_path: Path) -> None:
    written = draw_flows(flows, tmp_path / "out")
    assert [p.name for p in written] == ["extra.mmd", "extra.svg", "main.mmd", "main.svg"]
    for spec in load_flows(flows):
        shown = texts(tmp_path / "out" / f"{spec.name}.svg")
        for state in spec.state_specs:
            assert state.name in shown
        for transition in spec.transitions:
            for trigger in transition.triggers:
                assert trigger in shown
    extra = texts(tmp_path / "out/extra.svg")
    assert "(in main)" in extra  # `start` belongs to the main flow


def test_mermaid_has_one_line_per_transition_and_source(flows: Path) -> None:
    for spec in load_flows(flows):
        text = to_mermaid(build_graph(spec))
        arrows = [line for line in text.splitlines() if " --> " in line and "[*]" not in line]
        expected = sum(len(t.sources) for t in spec.transitions)
        assert len(arrows) == expected
        assert text.startswith(f"---\ntitle: {spec.name}\n---\nstateDiagram-v2\n")
    main = to_mermaid(build_graph(load_flows(flows)[1]))
    assert "    [*] --> start\n" in main
    assert "    ANY --> start : greet / utter_greet\n" in main
    assert "    start --> browsing : browse_catalog, choose_category [!is_staff] / " in main
    assert "    browsing : prompt utter_greet\n" in main


def test_output_is_byte_identical_run_to_run(flows: Path, tmp_path: Path) -> None:
    first = draw_flows(flows, tmp_path / "a")
    second = draw_flows(flows, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    before = [p.stat().st_mtime_ns for p in first]
    draw_flows(flows, tmp_path / "a")
    assert [p.stat().st_mtime_ns for p in first] == before  # unchanged files are not rewritten


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def test_twenty_states_lay_out_without_overlaps() -> None:
    spec = chain(20)
    scene = layout(build_graph(spec))
    nodes = [node.box for node in scene.nodes]
    labels = [edge.label.box for edge in scene.edges if edge.label]
    assert len(nodes) == 20
    assert len(labels) == len({(t.source, t.dest) for t in spec.transitions if t.source != ANY})
    boxes = nodes + labels + [scene.table_box] if scene.table_box else nodes + labels
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    for box in boxes:
        assert box.x >= 0
        assert box.right <= scene.width
        assert box.y >= 0
        assert box.bottom <= scene.height
    assert scene.height > scene.width / 2  # grows downwards, as pages scroll


def test_layers_follow_the_shortest_way_from_the_initial_state() -> None:
    graph = build_graph(chain(8))
    layers = graph.layers()
    assert layers["step_0"] == 0
    assert layers["step_2"] == 1  # skip_0 jumps straight there
    assert layers["step_3"] == 2


def test_png_needs_its_optional_renderer(
    flows: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # as if not installed
    with pytest.raises(DrawError, match="pip install resvg-py"):
        draw_flows(flows, tmp_path / "png", "png")
    assert not (tmp_path / "png").exists()


def test_png_when_the_renderer_is_there(flows: Path, tmp_path: Path) -> None:
    written = draw_flows(flows, tmp_path / "png", "png")
    pictures = [p for p in written if p.suffix == ".png"]
    assert len(pictures) == 2
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pictures)
