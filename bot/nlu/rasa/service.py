"""The `nlu` service: Wakala's Rasa NLU model behind a small batched HTTP API.

Runs under Rasa's Python 3.10 in its own virtualenv (the app, on Python 3.11, never imports
Rasa and calls this over HTTP). Start it from the repository root so the custom components
resolve:

    PYTHONPATH=. <rasa-venv>/bin/python -m bot.nlu.rasa.service \\
        --model models/nlu.tar.gz --host 127.0.0.1 --port 5005

The port opens at once (GET /health answers, GET /ready says 503); the model loads in the
background and one JSON line `{"event": "nlu.ready", ...}` on stdout marks readiness. SIGTERM
or SIGINT stops accepting connections, lets in-flight requests finish, and exits 0. If the
first model cannot be loaded the service exits 1. Endpoints: see `http_api`.

Models trained by `wakala nlu train` are served by the fast engine, which does not import
Rasa (see `runtime`); with --watch (the default) a newly trained model replaces the served
one without downtime (see `watch`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.nlu.rasa.http_api import ModelSlot
    from bot.nlu.rasa.runtime import LoadedModel

# Only the standard library is imported above; aiohttp, numpy and (for the rasa engine) Rasa
# load lazily, so `--help` is instant and startup_seconds below counts their import time.
_STARTED = time.monotonic()
DEFAULT_PORT = 5005


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.nlu.rasa.service",
        description="Serve a trained Rasa NLU model over HTTP (batched parse, hot reload).",
    )
    parser.add_argument("--model", required=True, type=Path, help="model archive (.tar.gz)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", default=DEFAULT_PORT, type=int, help="port (default: %(default)s)"
    )
    parser.add_argument(
        "--models-root",
        type=Path,
        default=None,
        help="POST /model/reload only loads archives under this directory "
        "(default: the directory of --model)",
    )
    parser.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "fast", "rasa"],
        help="fast: our batched pipeline, no Rasa import; rasa: Rasa's graph runtime (any "
        "model); auto: fast when the model allows it (default: %(default)s)",
    )
    parser.add_argument(
        "--watch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reload when <models-root>/latest.json names a new model (default: on)",
    )
    parser.add_argument(
        "--watch-interval",
        type=float,
        default=1.0,
        help="seconds between looks at latest.json (default: %(default)s)",
    )
    parser.add_argument("--max-texts", type=int, default=256, help="texts per /parse request")
    parser.add_argument("--max-text-chars", type=int, default=4096, help="characters per text")
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=10.0,
        help="seconds in-flight requests get after SIGTERM (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="level of library logs on stderr (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.max_texts < 1 or args.max_text_chars < 1:
        parser.error("--max-texts and --max-text-chars must be at least 1")
    if args.watch_interval <= 0:
        parser.error("--watch-interval must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # With the rasa engine, TensorFlow is imported by Rasa's recipe even when no component
    # uses it; keep its C++ start-up chatter out of the logs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130


async def serve(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT (exit 0) or until the first model fails to load (exit 1)."""
    from aiohttp import web  # type: ignore[import-not-found, unused-ignore]

    from bot.nlu.rasa.batcher import ParseBatcher
    from bot.nlu.rasa.events import log_event
    from bot.nlu.rasa.http_api import Limits, ModelSlot, create_app

    model_path = args.model.expanduser().resolve()
    if not model_path.is_file():  # fail before any slow import
        log_event("nlu.load_failed", model=model_path.name, error=f"no such file: {model_path}")
        return 1
    slot = ModelSlot(
        functools.partial(_load_model, engine=args.engine), args.models_root or model_path.parent
    )
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-parse")
    limits = Limits(max_texts=args.max_texts, max_text_chars=args.max_text_chars)
    batcher = ParseBatcher(
        _parse_batch,
        executor,
        max_batch_texts=limits.max_texts,
        inline=lambda model: getattr(model, "engine", None) == "fast",
    )
    runner = web.AppRunner(create_app(slot, batcher, limits), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, shutdown_timeout=args.shutdown_timeout)
    try:
        await site.start()
    except OSError as exc:
        log_event("nlu.start_failed", error=str(exc), host=args.host, port=args.port)
        await runner.cleanup()
        return 1

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loading = loop.create_task(_load_first_model(slot, model_path, args, stop))
    await stop.wait()
    log_event("nlu.stopping")
    first_load_failed = loading.done() and slot.current is None
    exit_code = 1 if first_load_failed else 0
    loading.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loading  # also cancels the watcher it started
    await runner.cleanup()  # closes the listener, then waits for in-flight requests
    await batcher.close()
    executor.shutdown(wait=True)
    log_event("nlu.stopped", exit_code=exit_code)
    return exit_code


async def _load_first_model(
    slot: ModelSlot, path: Path, args: argparse.Namespace, stop: asyncio.Event
) -> None:
    """Load the --model archive; log `nlu.ready`, or `nlu.load_failed` and stop the service."""
    from bot.nlu.rasa.events import log_event
    from bot.nlu.rasa.watch import follow_pointer

    started = time.monotonic()
    try:
        model = await slot.load(path)
    except Exception as exc:
        log_event("nlu.load_failed", model=path.name, error=str(exc))
        stop.set()
        return
    log_event(
        "nlu.ready",
        model=model.name,
        engine=model.describe()["engine"],
        # With the rasa engine, the first load also imports Rasa and TensorFlow.
        load_seconds=round(time.monotonic() - started, 3),
        startup_seconds=round(time.monotonic() - _STARTED, 3),
        host=args.host,
        port=args.port,
        pid=os.getpid(),
    )
    if args.watch:
        await follow_pointer(slot, args.watch_interval)  # until the service stops


def _load_model(path: Path, engine: str) -> LoadedModel:
    from bot.nlu.rasa.runtime import load_model

    return load_model(path, engine)


def _parse_batch(model: LoadedModel, texts: Sequence[str]) -> list[dict[str, Any]]:
    from bot.nlu.rasa.runtime import parse_batch

    return parse_batch(model, texts)


if __name__ == "__main__":
    sys.exit(main())
