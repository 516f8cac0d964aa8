"""The NLU service process: start-up order, the ready event, SIGTERM, a missing model."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def poll(url: str, want: int, timeout: float = 180) -> int:
    """Status of the first response to GET `url` once the port is open; waits for `want`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = httpx.get(url, timeout=5).status_code
            if status == want:
                return status
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.05)
    pytest.fail(f"GET {url} never answered {want} within {timeout} s")


def test_health_first_ready_after_load_then_clean_sigterm(
    spawn_service: Callable[..., Any], trained_model: Path
) -> None:
    # Rasa's engine loads in seconds (it imports Rasa and TensorFlow), long enough to see the
    # service answer /health while /ready still says 503; the fast engine is ready too soon.
    service = spawn_service(trained_model, "--engine", "rasa")

    poll(f"{service.base_url}/health", 200)
    assert httpx.get(f"{service.base_url}/ready").status_code == 503
    assert httpx.get(f"{service.base_url}/model").json()["error"]["code"] == "model_not_ready"
    assert httpx.post(f"{service.base_url}/parse", json={"texts": ["hi"]}).status_code == 503
    poll(f"{service.base_url}/ready", 200)

    ready = service.events()[0]
    assert ready["event"] == "nlu.ready"
    assert ready["model"] == trained_model.name
    assert ready["engine"] == "rasa"
    assert isinstance(ready["load_seconds"], float)

    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(30) == 0
    last = service.events()[-1]
    assert (last["event"], last["exit_code"]) == ("nlu.stopped", 0)


def test_the_fast_engine_is_the_default_for_our_pipeline(
    spawn_service: Callable[..., Any], trained_model: Path
) -> None:
    service = spawn_service(trained_model)
    poll(f"{service.base_url}/ready", 200)
    ready = service.events()[0]
    assert (ready["event"], ready["engine"]) == ("nlu.ready", "fast")
    assert isinstance(ready["startup_seconds"], float)
    assert httpx.post(f"{service.base_url}/parse", json={"texts": ["hi"]}).status_code == 200
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(30) == 0


def test_missing_model_exits_nonzero_with_an_event(
    spawn_service: Callable[..., Any], tmp_path: Path
) -> None:
    service = spawn_service(tmp_path / "absent.tar.gz")

    assert service.process.wait(60) == 1
    (event,) = service.events()
    assert event["event"] == "nlu.load_failed"
    assert "absent.tar.gz" in str(event["model"])


def test_unloadable_model_exits_nonzero_after_trying(
    spawn_service: Callable[..., Any], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    service = spawn_service(broken)

    assert service.process.wait(180) == 1
    events = [event["event"] for event in service.events()]
    assert events == ["nlu.load_failed", "nlu.stopping", "nlu.stopped"]
