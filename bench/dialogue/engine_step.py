"""One engine step (no I/O) over the shipped flows: p50, p99 and steps/s.

Baseline (issue "Dialogue engine"): p99 <= 1 ms per step. Exits 1 when the baseline is missed.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dialogue.engine import Engine, TurnFacts  # noqa: E402
from dialogue.flows import load_flows  # noqa: E402

BASELINE_P99_MS = 1.0
STEPS = 50_000


def main() -> int:
    [flow] = load_flows(ROOT / "dialogue" / "flows")
    engine = Engine(flow)
    triggers = [*sorted(engine.triggers), "out_of_scope", "nlu_fallback"]
    rng = random.Random(7)
    record = engine.initial_state()
    timings = []
    for _ in range(STEPS):
        facts = TurnFacts(trigger=rng.choice(triggers))
        started = time.perf_counter_ns()
        record = engine.step(record, facts).state
        timings.append(time.perf_counter_ns() - started)
    timings.sort()
    p50 = timings[len(timings) // 2] / 1e6
    p99 = timings[int(len(timings) * 0.99)] / 1e6
    mean = statistics.fmean(timings) / 1e6
    print(
        f"engine step: {STEPS} steps, p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
        f"{1000 / mean:,.0f} steps/s"
    )
    verdict = "OK" if p99 <= BASELINE_P99_MS else "MISSED"
    print(f"baseline p99 <= {BASELINE_P99_MS} ms: {verdict}")
    return 0 if p99 <= BASELINE_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
