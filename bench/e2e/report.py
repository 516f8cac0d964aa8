"""The bench's figures as lines of text (and as JSON for reports/e2e.json)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bench.e2e.load import LoadResult
from bench.e2e.usage import HISTOGRAMS, Timings, Usage

TARGET_TURNS = 300.0
TARGET_P99_MS = 300.0


@dataclass
class Figures:
    stack: str  # "wakala" or "stock rasa"
    result: LoadResult
    usage: Usage
    timings: Timings | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def conversations(self) -> int:
        return self.result.spec.conversations

    @property
    def p50_ms(self) -> float:
        return 1000 * self.result.latency(0.50)

    @property
    def p99_ms(self) -> float:
        return 1000 * self.result.latency(0.99)

    @property
    def meets_target(self) -> bool:
        return self.result.turns_per_second >= TARGET_TURNS and self.p99_ms <= TARGET_P99_MS

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "conversations": self.conversations,
            "think_seconds": self.result.spec.think,
            "turns_per_second": round(self.result.turns_per_second, 1),
            "p50_ms": _round(self.p50_ms),
            "p99_ms": _round(self.p99_ms),
            "first_reply_p50_ms": _round(1000 * self.result.latency(0.5, first=True)),
            "failed_turns": len(self.result.failed),
            "machine_cpu_percent": round(self.usage.machine_cpu),
            "cpu_percent": {k: round(v) for k, v in self.usage.cpu.items()},
            "rss_mb": {k: round(v) for k, v in self.usage.rss.items()},
            "timings_ms": {
                name: _round(self.timings.mean_ms(name)) for name in HISTOGRAMS if self.timings
            },
            **self.notes,
        }


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 1)


def _ms(value: float) -> str:
    return "   -" if math.isnan(value) else f"{value:6.0f}"


HEADER = "stack        convs  think   turns/s  p50 ms  p99 ms  1st p50  failed  CPU(all)"


def row(figures: Figures) -> str:
    result = figures.result
    return (
        f"{figures.stack:<12} {figures.conversations:>5}  {result.spec.think:4.1f}s  "
        f"{result.turns_per_second:8.1f}  {_ms(figures.p50_ms)}  {_ms(figures.p99_ms)}  "
        f"{_ms(1000 * result.latency(0.5, first=True))}   {len(result.failed):5d}  "
        f"{figures.usage.machine_cpu:6.0f} %"
    )


def usage_lines(figures: Figures) -> list[str]:
    usage = figures.usage
    lines = [f"  {figures.stack} at {figures.conversations} conversations: CPU (% of one core)"]
    lines += [
        f"    {name:<14} {usage.cpu[name]:5.0f} %  {usage.rss[name]:6.0f} MB" for name in usage.cpu
    ]
    return lines


def timing_lines(figures: Figures) -> list[str]:
    timings = figures.timings
    if timings is None:
        return []
    turns = max(timings.count("wakala_turn_seconds"), 1.0)
    lines = [f"  where a turn's time goes at {figures.conversations} conversations (means):"]
    for name, label in HISTOGRAMS.items():
        per_turn = timings.count(name) / turns
        lines.append(f"    {label:<42} {_ms(timings.mean_ms(name))} ms  x {per_turn:4.2f} per turn")
    return lines


def verdict(best: Figures | None) -> str:
    goal = f">= {TARGET_TURNS:.0f} turns/s sustained with p99 <= {TARGET_P99_MS:.0f} ms"
    if best is None:
        return f"target {goal}: no measurement"
    state = "MET" if best.meets_target else "MISSED"
    return (
        f"target {goal}: {state} (best sustained: {best.result.turns_per_second:.1f} turns/s "
        f"with p99 {best.p99_ms:.0f} ms at {best.conversations} conversations)"
    )
