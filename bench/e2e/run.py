"""End-to-end benchmark: shoppers chatting with Wakala's services running as separate processes,
then with a stock Rasa 3.6 stack holding the same conversation; prints both and the ratio.

    .venv/bin/python bench/e2e/run.py [--levels 100,300,1000] [--seconds 60] [--warmup 20]
        [--think 3] [--saturation 100] [--workers 2] [--senders 1] [--shards 16] [--no-stock]

Wakala runs on DATABASE_URL, REDIS_URL and AMQP_URL (default: the local services), in a
scratch database and namespace that are removed afterwards. Per level: turns/s, latency from
posting the webhook to the fake receiving the turn's last reply (p50, p99) and to its first
reply (p50), CPU and peak RSS per process (psutil), the pipeline's own stage timings; a
saturation row with no think time shows the most turns/s. Baseline (issue 8): >= 300 turns/s
sustained with p99 <= 300 ms. Exits 1 when it is missed. Logs: reports/e2e/<time>/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.e2e import report  # noqa: E402
from bench.e2e.cluster import Cluster, Infra, Layout  # noqa: E402
from bench.e2e.load import Conversation, LoadSpec, run_load  # noqa: E402
from bench.e2e.shoppers import Replies, Shopper, Webhooks  # noqa: E402
from bench.e2e.stock import RasaShopper, StockRasa  # noqa: E402
from bench.e2e.usage import Timings, Usage, shared_pids  # noqa: E402
from bot.convtest.scratch import scratch  # noqa: E402
from bot.convtest.shops import SeededShop, load_shops, seed  # noqa: E402
from bot.settings import Settings  # noqa: E402
from commerce.db import create_engine  # noqa: E402

SHOPS = ROOT / "bench" / "e2e" / "shops.yml"
LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=512)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="100,300,1000", help="concurrent conversations")
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=3.0, help="mean think time (s)")
    parser.add_argument("--saturation", type=int, default=100, help="0 = no saturation row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--no-stock", action="store_true", help="skip stock Rasa")
    return parser.parse_args()


def base_settings() -> Settings:
    env = os.environ
    return Settings(
        env="test",
        database_url=env.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        amqp_url=env.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        namespace="bench-e2e",
        seed_demo=False,
    )


async def measure(
    stack: str,
    new_conversation: Callable[[int], Conversation],
    spec: LoadSpec,
    pids: dict[str, list[int]],
    metrics_urls: list[str],
) -> report.Figures:
    """Run the load; CPU, memory and the stage timings over its measuring window only."""
    load = asyncio.create_task(run_load(new_conversation, spec))
    await asyncio.sleep(spec.warmup)  # the warm-up, then the window
    usage = Usage(pids | {f"shared {k}": v for k, v in shared_pids().items()})
    timings = Timings(metrics_urls) if metrics_urls else None
    async with contextlib.AsyncExitStack() as window:
        await window.enter_async_context(usage)
        if timings is not None:
            await window.enter_async_context(timings)
        await asyncio.sleep(spec.seconds)  # the measuring window
    figures = report.Figures(stack, await load, usage, timings)
    print(report.row(figures), flush=True)
    return figures


async def bench_wakala(
    cluster: Cluster, shops: list[SeededShop], args: argparse.Namespace, levels: list[int]
) -> list[report.Figures]:
    pids = {name: [proc.pid] for name, proc in cluster.procs.items() if proc.pid}
    pids["harness"] = [os.getpid()]
    urls = [url for name, url in cluster.urls.items() if name not in ("graph", "nlu")]
    found: list[report.Figures] = []
    async with Replies(cluster.urls["graph"]) as replies, httpx.AsyncClient(limits=LIMITS) as http:
        hooks = Webhooks(
            cluster.urls["gateway"], cluster.settings.app_secret.get_secret_value(), http
        )
        runs = [(n, args.think) for n in levels]
        runs += [(args.saturation, 0.0)] if args.saturation else []
        for index, (conversations, think) in enumerate(runs):

            def shopper(n: int, prefix: int = 60 + index) -> Conversation:
                shop = shops[n % len(shops)].spec
                number = f"27{prefix}{n:07d}"
                return Shopper(number, shop.phone_number_id, replies, hooks, turn_timeout=120)

            spec = LoadSpec(conversations, args.seconds, args.warmup, think)
            found.append(await measure("wakala", shopper, spec, pids, urls))
        print(f"  webhooks refused and posted again: {hooks.refused}")
    return found


async def bench_stock(
    settings: Settings, shop: SeededShop, args: argparse.Namespace, levels: list[int], logs: Path
) -> list[report.Figures]:
    stack = StockRasa(settings, settings.database_url or "", shop.tenant_id, logs)
    found: list[report.Figures] = []
    try:
        await stack.start()
        if stack.training_seconds is not None:
            print(f"  stock Rasa trained in {stack.training_seconds:.0f} s (now cached)")
        pids = {name: [proc.pid] for name, proc in stack.procs.items() if proc.pid}
        pids["harness"] = [os.getpid()]
        async with httpx.AsyncClient(limits=LIMITS) as http:
            runs = [(n, args.think) for n in levels]
            runs += [(args.saturation, 0.0)] if args.saturation else []
            for index, (conversations, think) in enumerate(runs):

                def shopper(n: int, prefix: int = 70 + index) -> Conversation:
                    return RasaShopper(f"27{prefix}{n:07d}", stack.url, http)

                spec = LoadSpec(conversations, args.seconds, args.warmup, think)
                found.append(await measure("stock rasa", shopper, spec, pids, []))
    finally:
        await stack.stop()
    return found


def summary(wakala: list[report.Figures], stock: list[report.Figures]) -> list[str]:
    lines = ["", "CPU and peak memory per process over each window:"]
    for figures in [*wakala, *stock]:
        lines += report.usage_lines(figures)
    for figures in wakala:
        lines += report.timing_lines(figures)
    if stock:
        lines.append("")
        lines.append("Wakala / stock Rasa, same conversations and think time:")
        for ours, theirs in zip(wakala, stock, strict=False):
            turns = ours.result.turns_per_second / max(theirs.result.turns_per_second, 1e-9)
            p99 = theirs.p99_ms / ours.p99_ms if ours.p99_ms else float("nan")
            lines.append(
                f"  {ours.conversations:>5} conversations, think {ours.result.spec.think:.0f}s: "
                f"{turns:5.1f}x the turns/s, p99 {p99:5.1f}x lower"
            )
    sustained = [f for f in wakala if f.result.spec.think > 0]
    best = max(sustained, key=lambda f: f.result.turns_per_second, default=None)
    lines += ["", report.verdict(best)]
    return lines


async def main() -> int:
    args = parse_args()
    levels = [int(n) for n in args.levels.split(",") if n]
    logs = ROOT / "reports" / "e2e" / time.strftime("%Y%m%d-%H%M%S")
    base = base_settings()
    layout = Layout(args.workers, args.senders, args.shards)
    print(
        f"==> {layout.workers} workers, {layout.senders} senders, {layout.shards} shards; "
        f"think {args.think:g} s mean; {args.warmup:g} s warm-up, {args.seconds:g} s measured; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; logs in {logs}",
        flush=True,
    )
    wakala: list[report.Figures] = []
    stock: list[report.Figures] = []
    async with scratch(base) as fresh:
        infra = Infra(
            fresh.database_url or "", fresh.redis_url or "", fresh.amqp_url or "", fresh.namespace
        )
        cluster = Cluster(infra, layout, logs)
        try:
            await cluster.start()
            engine = create_engine(infra.database_url, pool_size=1)
            seeded = await seed(engine, load_shops(SHOPS))
            await engine.dispose()
            print(report.HEADER, flush=True)
            wakala = await bench_wakala(cluster, list(seeded.values()), args, levels)
        finally:
            await cluster.stop()
        if not args.no_stock:
            stock = await bench_stock(fresh, seeded["E2E-1"], args, levels, logs)
    print("\n".join(summary(wakala, stock)))
    out = ROOT / "reports" / "e2e.json"
    out.write_text(json.dumps([f.as_json() for f in [*wakala, *stock]], indent=2))
    print(f"report: {out.relative_to(ROOT)}")
    sustained = [f for f in wakala if f.result.spec.think > 0]
    return 0 if any(f.meets_target for f in sustained) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
