"""HTTP API of the NLU service: parse batches, report health, swap models without downtime.

Runs under Rasa's Python 3.10 on aiohttp (a Rasa dependency). Nothing here imports Rasa: the
model loader and the batch parser are injected, so this module knows only the `ServedModel`
protocol.

Endpoints
    POST /parse          {"texts": [...]} -> {"model", "results": [...]} in input order
    GET  /health         200 while the process is up
    GET  /ready          200 once a model is loaded, 503 before
    GET  /model          the served model's identity and the state of any reload
    POST /model/reload   {"model": PATH} -> 202; loads in the background, then swaps

Errors are JSON: {"error": {"code": <stable code>, "message": ..., "field": ...}}.

Concurrency: parsing is CPU-bound and holds the GIL, so batching, not threads, buys
throughput (see `batcher`): the fast engine parses on the event loop itself, a batch at a
time; Rasa's slower graph runtime runs on one worker thread so health checks keep answering.
Model loads run on a daemon thread, so SIGTERM never waits for a half-loaded model. A parse
takes a reference to the current model when it starts; a reload replaces that reference only
once the new model is fully loaded, so in-flight parses finish on the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aiohttp import web  # type: ignore[import-not-found, unused-ignore]

from bot.nlu.rasa.batcher import ParseBatcher
from bot.nlu.rasa.events import log_event

T = TypeVar("T")


class ServedModel(Protocol):
    @property
    def name(self) -> str: ...

    def describe(self) -> dict[str, Any]: ...


Loader = Callable[[Path], ServedModel]


@dataclass(frozen=True)
class Limits:
    max_texts: int = 256
    max_text_chars: int = 4096
    # Parse requests queued or running at once; beyond this the service answers 503.
    max_pending: int = 64

    @property
    def max_body_bytes(self) -> int:
        # Worst case per character is a 12-byte JSON escape pair ("\ud83d\udc4d" for one emoji).
        return self.max_texts * (self.max_text_chars * 12 + 8) + 64 * 1024


class RequestError(Exception):
    """A client error, rendered as a JSON body naming the field at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.field)


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: Any = None
) -> web.Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return web.json_response({"error": error}, status=status, dumps=_dumps, headers=headers)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars from Rasa components
        return value.item()
    return str(value)


_dumps = functools.partial(json.dumps, ensure_ascii=False, default=_json_default)


def run_in_daemon_thread(fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """Run `fn` on a fresh daemon thread; unlike an executor, exit never waits for it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, exc: BaseException | None) -> None:
        if future.done():
            return
        if exc is None:
            future.set_result(result)
        else:
            future.set_exception(exc)

    def target() -> None:
        try:
            result, exc = fn(*args), None
        except BaseException as error:  # handed to the awaiting coroutine
            result, exc = None, error
        # RuntimeError: the loop closed while we worked, so nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, exc)

    threading.Thread(target=target, name="nlu-model-load", daemon=True).start()
    return future


class ModelSlot:
    """The served model and the reload in progress; used from the event loop only."""

    def __init__(self, loader: Loader, models_root: Path) -> None:
        self.current: ServedModel | None = None
        self.models_root = models_root.resolve()
        self.reloading: Path | None = None
        self.last_error: dict[str, str] | None = None
        self._loader = loader
        self._task: asyncio.Task[None] | None = None

    async def load(self, path: Path) -> ServedModel:
        """Load `path` off the loop, then make it the served model."""
        model = await run_in_daemon_thread(self._loader, path)
        self.current = model
        # A model is hundreds of thousands of long-lived objects (vocabularies, caches); the
        # cyclic GC would rescan them on every full collection, a pause of milliseconds in
        # the middle of requests. Collect once now (unfrozen, so a replaced model's cycles go
        # too) and move the survivors out of its way.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return model

    def start_reload(self, path: Path) -> None:
        self.reloading = path
        self._task = asyncio.get_running_loop().create_task(self._reload(path))

    async def _reload(self, path: Path) -> None:
        previous = self.current.name if self.current else None
        try:
            model = await self.load(path)
        except Exception as exc:  # the old model keeps serving; report and carry on
            self.last_error = {"model": path.name, "error": str(exc)}
            log_event("nlu.reload_failed", model=path.name, error=str(exc))
        else:
            self.last_error = None
            log_event("nlu.model_swapped", previous=previous, **model.describe())
        finally:
            self.reloading = None

    def reload_state(self) -> dict[str, Any]:
        if self.reloading is not None:
            return {"state": "loading", "model": self.reloading.name}
        if self.last_error is not None:
            return {"state": "failed", **self.last_error}
        return {"state": "idle"}


SLOT = web.AppKey("slot", ModelSlot)
LIMITS = web.AppKey("limits", Limits)
BATCHER = web.AppKey("batcher", ParseBatcher)
PENDING = web.AppKey("pending", list)


def create_app(slot: ModelSlot, batcher: ParseBatcher, limits: Limits) -> web.Application:
    app = web.Application(client_max_size=limits.max_body_bytes, middlewares=[_json_errors])
    app[SLOT], app[BATCHER], app[LIMITS] = slot, batcher, limits
    app[PENDING] = [0]  # boxed counter: handlers run on one loop, no lock needed
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/model", model_info)
    app.router.add_post("/parse", parse)
    app.router.add_post("/model/reload", reload_model)
    return app


@web.middleware  # type: ignore[untyped-decorator, unused-ignore]
async def _json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except RequestError as exc:
        return exc.response()
    except web.HTTPRequestEntityTooLarge:
        limits = request.app[LIMITS]
        return error_response(
            413,
            "body_too_large",
            f"request body exceeds {limits.max_body_bytes} bytes; send at most "
            f"{limits.max_texts} texts of at most {limits.max_text_chars} characters",
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.lower().replace(" ", "_")
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(
            exc.status, code, f"{request.method} {request.path}: {exc.reason}", headers=allow
        )
    except Exception as exc:
        log_event("nlu.error", path=request.path, error=f"{type(exc).__name__}: {exc}")
        return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    model = request.app[SLOT].current
    if model is None:
        return web.json_response({"status": "loading"}, status=503)
    return web.json_response({"status": "ready", "model": model.name})


async def model_info(request: web.Request) -> web.Response:
    slot = request.app[SLOT]
    if slot.current is None:
        raise RequestError(503, "model_not_ready", "no model is loaded yet; poll GET /ready")
    body = {**slot.current.describe(), "reload": slot.reload_state()}
    return web.json_response(body, dumps=_dumps)


async def parse(request: web.Request) -> web.Response:
    app = request.app
    model = app[SLOT].current  # pinned for this request, whatever a reload does meanwhile
    if model is None:
        raise RequestError(503, "model_not_ready", "no model is loaded yet; poll GET /ready")
    texts = validate_texts(await _json_object(request), app[LIMITS])
    pending = app[PENDING]
    if pending[0] >= app[LIMITS].max_pending:
        return error_response(
            503,
            "overloaded",
            f"{pending[0]} parse requests already pending; retry shortly",
            headers={"Retry-After": "1"},
        )
    pending[0] += 1
    try:
        results = await app[BATCHER].parse(model, texts)
    finally:
        pending[0] -= 1
    return web.json_response({"model": model.name, "results": results}, dumps=_dumps)


async def reload_model(request: web.Request) -> web.Response:
    slot = request.app[SLOT]
    if slot.current is None:  # the first load would race the reload and might win
        raise RequestError(503, "model_not_ready", "the first model is still loading")
    body = await _json_object(request)
    raw = body.get("model")
    if not isinstance(raw, str) or not raw.strip():
        raise RequestError(
            400,
            "invalid_field",
            'must be the path of a model archive, e.g. {"model": '
            '"models/nlu.tar.gz"}; got ' + _describe(raw),
            field="model",
        )
    path = await asyncio.to_thread(_model_archive, raw, slot.models_root)
    if slot.reloading is not None:
        raise RequestError(
            409,
            "reload_in_progress",
            f"already loading {slot.reloading.name}; wait for GET /model to show it",
        )
    slot.start_reload(path)
    return web.json_response({"status": "loading", "model": path.name}, status=202)


def _model_archive(raw: str, models_root: Path) -> Path:
    """The resolved archive path, if it is an existing file under `models_root`."""
    path = Path(raw).expanduser().resolve()
    if not path.is_relative_to(models_root):
        raise RequestError(
            403,
            "model_path_forbidden",
            f"{path} is outside the models directory {models_root} "
            "(start the service with --models-root to allow another)",
            field="model",
        )
    if not path.is_file():
        raise RequestError(404, "model_not_found", f"no model archive at {path}", field="model")
    return path


def validate_texts(body: dict[str, Any], limits: Limits) -> list[str]:
    """The `texts` of a parse request, or a RequestError naming the first bad field."""
    if "texts" not in body:
        raise RequestError(400, "missing_field", 'is required, e.g. {"texts": ["hi"]}', "texts")
    texts = body["texts"]
    if not isinstance(texts, list):
        raise RequestError(
            400, "invalid_field", f"must be a list of strings; got {_describe(texts)}", "texts"
        )
    if len(texts) > limits.max_texts:
        raise RequestError(
            400,
            "too_many_texts",
            f"has {len(texts)} items; the limit is {limits.max_texts}, so split the batch",
            "texts",
        )
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise RequestError(
                400, "invalid_field", f"must be a string; got {_describe(text)}", f"texts[{i}]"
            )
        if len(text) > limits.max_text_chars:
            raise RequestError(
                400,
                "text_too_long",
                f"has {len(text)} characters; the limit is {limits.max_text_chars}, "
                "so truncate it before sending",
                f"texts[{i}]",
            )
    return texts


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError(400, "invalid_json", f"request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise RequestError(
            400, "invalid_json", f"request body must be a JSON object; got {_describe(body)}"
        )
    return body


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(value).__name__} {shown}"
