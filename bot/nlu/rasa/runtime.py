"""Load a trained Rasa NLU model with the fastest engine that can run it; parse batches.

Runs under Rasa's Python 3.10 in the NLU service's own virtualenv.

Engines:
- "fast" (`core.pipeline`): reads the archive's persisted component files and runs our own
  batched code; no Rasa import, so it loads in well under a second. Every component of
  config.yml is supported.
- "rasa" (`rasa_engine`): Rasa's predict graph. Runs any Rasa NLU model (e.g. DIET); the
  first load imports Rasa and TensorFlow (seconds).
- "auto" (default): "fast" when the model's graph allows it, else "rasa".
Both engines return the same result shape (`core.results`); a test checks that they agree
parse for parse on the same model.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.rasa.core.results import empty_result
from bot.nlu.rasa.events import log_event

ENGINES = ("auto", "fast", "rasa")


class ModelLoadError(Exception):
    """The archive is missing, unreadable, or not an NLU model."""


@dataclass(frozen=True)
class LoadedModel:
    """A ready-to-run model plus what identifies the archive it came from."""

    path: Path
    engine: str  # "fast" or "rasa": what actually runs it
    model_id: str
    fingerprint: str  # sha256 of the archive: what exactly is being served
    project_fingerprint: str | None  # Rasa's fingerprint of config + data (None for NLU-only)
    trained_at: str
    rasa_version: str
    load_seconds: float
    parser: Callable[[Sequence[str]], list[dict[str, Any]]] = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "path": str(self.path),
            "engine": self.engine,
            "model_id": self.model_id,
            "fingerprint": self.fingerprint,
            "project_fingerprint": self.project_fingerprint,
            "trained_at": self.trained_at,
            "rasa_version": self.rasa_version,
            "load_seconds": self.load_seconds,
        }


def load_model(path: Path, engine: str = "auto") -> LoadedModel:
    """Load the model archive at `path`; blocking, so call it off the event loop."""
    started = time.monotonic()
    if engine not in ENGINES:
        raise ModelLoadError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if not path.is_file():
        raise ModelLoadError(f"model archive {path} does not exist or is not a file")
    chosen, identity, parser = _load_with(path, engine)
    return LoadedModel(
        path=path,
        engine=chosen,
        model_id=str(identity.get("model_id")),
        fingerprint=_sha256(path),
        project_fingerprint=identity.get("project_fingerprint"),
        trained_at=str(identity.get("trained_at")),
        rasa_version=str(identity.get("rasa_open_source_version")),
        load_seconds=round(time.monotonic() - started, 3),
        parser=parser,
    )


def _load_with(path: Path, engine: str) -> tuple[str, dict[str, Any], Any]:
    if engine in ("auto", "fast"):
        from bot.nlu.rasa.core.pipeline import UnsupportedModel, load_fast_model

        try:
            fast = load_fast_model(path)
            return "fast", fast.metadata, fast.parse
        except UnsupportedModel as exc:
            if engine == "fast":
                raise ModelLoadError(f"the fast engine cannot serve {path.name}: {exc}") from exc
            log_event("nlu.fast_engine_unsupported", model=path.name, reason=str(exc))
        except Exception as exc:  # a broken archive: Rasa could not read it either
            raise ModelLoadError(f"cannot load model {path}: {_describe(exc)}") from exc
    try:
        from bot.nlu.rasa.rasa_engine import load_rasa_graph  # imports Rasa: seconds

        graph = load_rasa_graph(path)
    except Exception as exc:  # Rasa raises many types here; the caller needs one
        raise ModelLoadError(f"cannot load model {path}: {_describe(exc)}") from exc
    return "rasa", graph.metadata, graph.parse


def parse_batch(model: LoadedModel, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Parse all `texts` in one run; results come back in input order.

    If the batch run fails, each text is retried alone so one bad text cannot sink the rest;
    a text that still fails gets an `error` entry and an empty parse.
    """
    if not texts:
        return []
    try:
        return model.parser(texts)
    except Exception as exc:
        if len(texts) == 1:
            return [_failed(texts[0], exc)]
        log_event("nlu.batch_failed", size=len(texts), error=_describe(exc))
    return [_parse_alone(model, text) for text in texts]


def _parse_alone(model: LoadedModel, text: str) -> dict[str, Any]:
    try:
        return model.parser([text])[0]
    except Exception as exc:
        return _failed(text, exc)


def _failed(text: str, exc: Exception) -> dict[str, Any]:
    log_event("nlu.parse_failed", error=_describe(exc))
    return {**empty_result(text), "error": _describe(exc)}


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as archive:
        for chunk in iter(lambda: archive.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
