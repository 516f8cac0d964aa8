"""Wakala's NLU pipeline (config.yml) beside stock Rasa (bench/nlu/stock_config.yml, DIET).

    .venv/bin/python bench/nlu/compare.py [--seconds 8] [--repeat 3] [--no-stock]

Both are trained by `rasa train nlu` on nlu_data/train and served by the same NLU service
(ours by the fast engine, stock by Rasa's graph runtime), then measured the same way:
intent accuracy per language on nlu_data/test, parses/s at batch 1 and 32 (closed loop),
p99 latency at 200 single-text requests/s (open loop), cold start (process start to
GET /ready), peak memory (RSS), training time. Stock training takes minutes, so its model is
cached under ~/.cache/wakala/bench/nlu, keyed by the data, the config and the Rasa lock.

Prints both side by side and the issue's targets; exits 1 if ours misses one. Run by hand
(not by the test suite) on a quiet machine: figures go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from loadgen import closed_loop, open_loop  # noqa: E402

from bot.nlu.environment import RASA_LOCK, rasa_python  # noqa: E402
from bot.nlu.evaluation.data import read_examples  # noqa: E402
from bot.nlu.evaluation.local_service import local_service  # noqa: E402
from bot.nlu.evaluation.run import parse_all  # noqa: E402
from bot.nlu.training import rasa_train_command, run_with_ticker  # noqa: E402
from bot.settings import Settings  # noqa: E402

STOCK_CONFIG = ROOT / "bench" / "nlu" / "stock_config.yml"
LANGUAGES = ("en", "zu", "st", "mixed")
TARGETS = {"parses_32": 3000.0, "p99_200": 15.0, "cold_start": 5.0, "training": 60.0}
# Stock Rasa as the issue measured it on this machine.
ISSUE_STOCK = {"parses": 65.0, "load": 54.0}


@dataclass
class Figures:
    name: str
    engine: str = "?"
    training_s: float | None = None
    cold_start_s: float = 0.0
    accuracy: dict[str, float] = field(default_factory=dict)
    parses_1: float = 0.0
    parses_32: float = 0.0
    p50_200: float = 0.0
    p99_200: float = 0.0
    errors_200: int = 0
    rss_mb: float = 0.0


def train(config: Path, out: Path, name: str, settings: Settings) -> float:
    command = rasa_train_command(
        rasa_python(settings), config=config, data=settings.nlu_data_dir / "train", out=out,
        name=name,
    )  # fmt: skip
    started = time.monotonic()
    done = run_with_ticker(command, settings, echo=True)
    if done.returncode != 0:
        sys.exit(f"rasa train nlu failed for {config.name}:\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def stock_model(settings: Settings, retrain: bool) -> tuple[Path, float]:
    digest = hashlib.sha256()
    for path in [STOCK_CONFIG, settings.project_dir / RASA_LOCK]:
        digest.update(path.read_bytes())
    for path in sorted((settings.nlu_data_dir / "train").rglob("*.yml")):
        digest.update(str(path.relative_to(settings.project_dir)).encode() + path.read_bytes())
    cache = settings.cache_dir / "bench" / "nlu"
    model = cache / f"stock-{digest.hexdigest()[:16]}.tar.gz"
    meta = model.with_suffix(".json")
    if model.exists() and meta.exists() and not retrain:
        print(f"==> stock model from the cache: {model}")
        return model, float(json.loads(meta.read_text())["training_seconds"])
    cache.mkdir(parents=True, exist_ok=True)
    print("==> training the stock DIET pipeline (minutes; cached for next time)")
    seconds = train(STOCK_CONFIG, cache, model.name.removesuffix(".tar.gz"), settings)
    meta.write_text(json.dumps({"training_seconds": seconds}))
    return model, seconds


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set size
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(
    name: str, model: Path, engine: str, settings: Settings, args: argparse.Namespace
) -> Figures:
    examples = read_examples(settings.nlu_data_dir / "test")
    texts = [e.text for e in examples]
    figures = Figures(name)
    log = settings.cache_dir / "bench" / "nlu" / f"{name}-service.log"
    print(f"==> {name}: starting the service ({engine} engine)")
    with local_service(settings, model, log, engine=engine, timeout=600) as service:
        figures.cold_start_s = service.ready_seconds
        figures.engine = json.loads(_get(service.url + "/model"))["engine"]
        results = parse_all(service.url, texts)
        for code in LANGUAGES:
            pairs = [(e, r) for e, r in zip(examples, results, strict=True) if e.language == code]
            hits = sum(e.intent == (r["intent"]["name"] or "nlu_fallback") for e, r in pairs)
            figures.accuracy[code] = hits / len(pairs)
        fast = figures.engine == "fast"
        repeat, seconds = (args.repeat, args.seconds) if fast else (1, args.seconds)
        runs_1, runs_32, open_runs = [], [], []
        for _ in range(repeat):
            print(f"    {name}: batch 1, batch 32, then 200 requests/s ...", flush=True)
            runs_1.append(
                _run(closed_loop(service.url, texts, batch=1, connections=1, seconds=seconds))
            )
            runs_32.append(
                _run(closed_loop(service.url, texts, batch=32, connections=2, seconds=seconds))
            )
            rate_seconds = seconds if fast else min(seconds, 5)
            open_runs.append(_run(open_loop(service.url, texts, rate=200, seconds=rate_seconds)))
        figures.parses_1 = statistics.median(r.parses_per_second for r in runs_1)
        figures.parses_32 = statistics.median(r.parses_per_second for r in runs_32)
        middle = sorted(open_runs, key=lambda r: r.percentile(0.99))[len(open_runs) // 2]
        figures.p50_200, figures.p99_200 = middle.percentile(0.5), middle.percentile(0.99)
        figures.errors_200 = middle.errors
        figures.rss_mb = rss_mb(service.pid)
    return figures


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def table(ours: Figures, stock: Figures | None) -> list[str]:
    def cell(value: Any, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    rows = [
        ("engine", "engine", "s", None),
        ("training (s)", "training_s", ".1f", f"<= {TARGETS['training']:.0f}"),
        ("cold start to ready (s)", "cold_start_s", ".2f", f"<= {TARGETS['cold_start']:.0f}"),
        *[(f"intent accuracy {c}", None, ".3f", ">= 0.90, >= stock") for c in LANGUAGES],
        ("parses/s, batch 1", "parses_1", ".0f", ""),
        ("parses/s, batch 32", "parses_32", ".0f", f">= {TARGETS['parses_32']:.0f}"),
        ("p50 ms at 200 req/s", "p50_200", ".1f", ""),
        ("p99 ms at 200 req/s", "p99_200", ".1f", f"<= {TARGETS['p99_200']:.0f}"),
        ("errors at 200 req/s", "errors_200", "d", "0"),
        ("peak RSS (MB)", "rss_mb", ".0f", ""),
    ]
    lines = [
        f"| {'':<26} | {'Wakala':>10} | {'stock DIET':>10} | target |",
        f"|{'-' * 28}|{'-' * 12}|{'-' * 12}|--------|",
    ]
    for label, attr, fmt, target in rows:
        if attr is None:
            code = label.rsplit(" ", 1)[1]
            mine, theirs = ours.accuracy[code], stock.accuracy[code] if stock else None
        else:
            mine, theirs = getattr(ours, attr), getattr(stock, attr) if stock else None
        lines.append(
            f"| {label:<26} | {cell(mine, fmt):>10} | {cell(theirs, fmt):>10} | {target} |"
        )
    return lines


def verdicts(ours: Figures, stock: Figures | None) -> list[tuple[str, bool]]:
    t = TARGETS
    checks = [
        (f"parses/s at batch 32 >= {t['parses_32']:.0f}", ours.parses_32 >= t["parses_32"]),
        (
            f"p99 at 200 req/s <= {t['p99_200']:.0f} ms, no errors",
            ours.p99_200 <= t["p99_200"] and not ours.errors_200,
        ),
        (f"cold start <= {t['cold_start']:.0f} s", ours.cold_start_s <= t["cold_start"]),
        (f"training <= {t['training']:.0f} s", (ours.training_s or 0) <= t["training"]),
        ("intent accuracy >= 0.90 in every language", min(ours.accuracy.values()) >= 0.90),
    ]
    if stock is not None:
        checks.append(
            (
                "intent accuracy no worse than stock DIET in every language",
                all(ours.accuracy[c] >= stock.accuracy[c] for c in LANGUAGES),
            )
        )
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per load test")
    parser.add_argument("--repeat", type=int, default=3, help="runs per load test (median)")
    parser.add_argument("--no-stock", action="store_true", help="measure ours only")
    parser.add_argument("--retrain-stock", action="store_true", help="ignore the cached model")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="wakala-bench-") as tmp:
        print("==> training Wakala's pipeline (config.yml), timed")
        seconds = train(settings.rasa_config, Path(tmp), "ours", settings)
        ours = measure("wakala", Path(tmp) / "ours.tar.gz", "auto", settings, args)
        ours.training_s = seconds
    stock = None
    if not args.no_stock:
        model, stock_seconds = stock_model(settings, args.retrain_stock)
        stock = measure("stock", model, "auto", settings, args)
        stock.training_s = stock_seconds
    print()
    print("\n".join(table(ours, stock)))
    print()
    print(
        f"issue's stock baseline here: ~{ISSUE_STOCK['parses']:.0f} parses/s (batching does "
        f"not help), {ISSUE_STOCK['load']:.0f} s to load"
    )
    if stock is not None:
        print(
            f"speed-up over stock: {ours.parses_1 / max(stock.parses_1, 1e-9):.0f}x at batch 1, "
            f"{ours.parses_32 / max(stock.parses_32, 1e-9):.0f}x at batch 32; cold start "
            f"{stock.cold_start_s / max(ours.cold_start_s, 1e-9):.0f}x faster"
        )
    failed = False
    for label, ok in verdicts(ours, stock):
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
        failed |= not ok
    if args.json:
        args.json.write_text(
            json.dumps({"wakala": vars(ours), "stock": vars(stock) if stock else None}, indent=2)
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
