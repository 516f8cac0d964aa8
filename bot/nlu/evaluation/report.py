"""Write an evaluation as files: report.json, confusion-matrix SVGs, and report.html.

No plotting library: the confusion matrix is drawn as SVG by hand (rows = true intent,
columns = predicted; the colour is the share of the row, blue on the diagonal, red off it).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

_CELL, _LABEL = 16, 190


def confusion_svg(labels: list[str], matrix: list[list[int]], title: str) -> str:
    n = len(labels)
    size = _LABEL + n * _CELL + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 24}" '
        f'font-family="sans-serif" font-size="10">',
        f'<text x="4" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>',
        '<g transform="translate(0,24)">',
    ]
    for i, label in enumerate(labels):
        y = _LABEL + i * _CELL + _CELL * 0.7
        x = _LABEL + i * _CELL + _CELL * 0.7
        name = html.escape(label)
        parts.append(f'<text x="{_LABEL - 4}" y="{y:.1f}" text-anchor="end">{name}</text>')
        parts.append(f'<text transform="translate({x:.1f},{_LABEL - 4}) rotate(-60)">{name}</text>')
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, count in enumerate(row):
            share = count / total
            if i == j:
                colour = f"rgba(33,102,172,{0.08 + 0.92 * share:.2f})"
            elif count:
                colour = f"rgba(214,39,40,{0.25 + 0.75 * share:.2f})"
            else:
                colour = "#f7f7f7"
            x, y = _LABEL + j * _CELL, _LABEL + i * _CELL
            tip = f"{labels[i]} -> {labels[j]}: {count}"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_CELL - 1}" height="{_CELL - 1}" fill="{colour}">'
                f"<title>{html.escape(tip)}</title></rect>"
            )
            if count:
                ink = "#fff" if share > 0.5 else "#000"
                parts.append(
                    f'<text x="{x + _CELL / 2 - 0.5}" y="{y + _CELL * 0.7}" text-anchor="middle" '
                    f'font-size="8" fill="{ink}">{count}</text>'
                )
    parts.append("</g></svg>")
    return "\n".join(parts)


def write_report(out: Path, report: dict[str, Any]) -> dict[str, Path]:
    """Write every file under `out`; returns what was written, by kind."""
    out.mkdir(parents=True, exist_ok=True)
    written = {"json": out / "report.json", "html": out / "report.html"}
    images: dict[str, str] = {}
    for name, section in report["by_language"].items():
        labels, matrix = section["confusion"]["labels"], section["confusion"]["matrix"]
        svg = confusion_svg(labels, matrix, f"Intent confusion: {name}")
        path = out / f"confusion-{name}.svg"
        path.write_text(svg, "utf-8")
        written[f"confusion-{name}"] = path
        images[name] = path.name
    written["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written["html"].write_text(_html(report, images), "utf-8")
    return written


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _html(report: dict[str, Any], images: dict[str, str]) -> str:
    rows = []
    for name, section in report["by_language"].items():
        intent, entities = section["intent"], section["entities"]["micro"]
        rows.append(
            f"<tr><td>{name}</td><td>{intent['n']}</td><td>{_pct(intent['accuracy'])}</td>"
            f"<td>{_pct(intent['macro_f1'])}</td><td>{_pct(entities['precision'])}</td>"
            f"<td>{_pct(entities['recall'])}</td><td>{_pct(entities['f1'])}</td>"
            f"<td>{_pct(section['language_id_accuracy'])}</td></tr>"
        )
    kinds = []
    overall = report["by_language"]["all"]["entities"]
    for kind, values in overall.items():
        kinds.append(
            f"<tr><td>{kind}</td><td>{_pct(values['precision'])}</td><td>{_pct(values['recall'])}"
            f"</td><td>{_pct(values['f1'])}</td><td>{values['tp']}</td><td>{values['fp']}</td>"
            f"<td>{values['fn']}</td></tr>"
        )
    confusions = "".join(
        f"<tr><td>{html.escape(c['gold'])}</td><td>{html.escape(c['predicted'])}</td>"
        f"<td>{c['count']}</td><td>{'<br>'.join(html.escape(t) for t in c['examples'])}</td></tr>"
        for c in report["worst_confusions"]
    )
    figures = "".join(
        f'<figure><img src="{file}" alt="confusion matrix, {name}"></figure>'
        for name, file in images.items()
    )
    meta = html.escape(f"{report['model']} on {report['data']} ({report['examples']} examples)")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wakala NLU test</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child{{text-align:left}}
figure{{margin:1em 0}}</style></head><body>
<h1>Wakala NLU test</h1><p>{meta}</p>
<h2>Per language</h2>
<table><tr><th>language</th><th>n</th><th>intent accuracy</th><th>intent macro-F1</th>
<th>entity P</th><th>entity R</th><th>entity F1</th><th>language id</th></tr>{"".join(rows)}</table>
<h2>Entities (all languages; exact span)</h2>
<table><tr><th>entity</th><th>P</th><th>R</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th></tr>
{"".join(kinds)}</table>
<h2>Worst intent confusions</h2>
<table><tr><th>true</th><th>predicted</th><th>count</th><th>examples</th></tr>{confusions}</table>
<h2>Confusion matrices</h2>{figures}
</body></html>
"""
