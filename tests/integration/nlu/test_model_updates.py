"""A newly trained model reaches running services: `latest.json` in the models directory,
which `wakala nlu train` writes and every service watches, swaps the model without dropping
a request; a broken one leaves the old model serving."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.nlu.training import POINTER, point_to

pytestmark = pytest.mark.integration


def test_pointer_is_written_atomically_and_only_when_it_changes(tmp_path: Path) -> None:
    model = tmp_path / "nlu-a.tar.gz"
    point_to(model)
    first = (tmp_path / POINTER).stat().st_mtime_ns
    assert json.loads((tmp_path / POINTER).read_text())["model"] == "nlu-a.tar.gz"
    time.sleep(0.01)
    point_to(model)
    assert (tmp_path / POINTER).stat().st_mtime_ns == first  # unchanged: nothing to reload
    point_to(tmp_path / "nlu-b.tar.gz")
    assert json.loads((tmp_path / POINTER).read_text())["model"] == "nlu-b.tar.gz"
    assert [p.name for p in tmp_path.iterdir()] == [POINTER]  # no temporary file left


def wait_for_model(url: str, name: str, state: str = "idle", timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    model: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            model = httpx.get(f"{url}/model", timeout=5).json()
        except httpx.TransportError:
            time.sleep(0.05)  # not listening yet
            continue
        if "error" in model:  # still loading the first model
            time.sleep(0.05)
            continue
        if model["reload"]["state"] == state and (state == "failed" or model["model"] == name):
            return model
        time.sleep(0.05)
    pytest.fail(f"the service never served {name} ({state}); last seen {model}")


def test_training_a_new_model_swaps_it_in_under_load(
    spawn_service: Callable[..., Any], trained_model: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    first, second = models / "nlu-first.tar.gz", models / "nlu-second.tar.gz"
    shutil.copyfile(trained_model, first)
    shutil.copyfile(trained_model, second)
    point_to(first)
    service = spawn_service(first, "--watch-interval", "0.1")
    wait_for_model(service.base_url, first.name, timeout=120)
    failures: list[str] = []
    served: set[str] = set()
    stop = threading.Event()

    def keep_parsing() -> None:
        with httpx.Client(base_url=service.base_url, timeout=30) as http:
            while not stop.is_set():
                try:
                    response = http.post("/parse", json={"texts": ["sawubona", "2 loaves"]})
                    if response.status_code != 200 or len(response.json()["results"]) != 2:
                        failures.append(response.text)
                    served.add(response.json()["model"])
                except Exception as exc:
                    failures.append(repr(exc))

    threads = [threading.Thread(target=keep_parsing) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while first.name not in served and time.monotonic() < deadline:
            time.sleep(0.01)  # parses flow on the first model before the new one appears
        point_to(second)  # what `wakala nlu train` does after training
        swapped = wait_for_model(service.base_url, second.name)
        time.sleep(0.3)
        broken = models / "nlu-broken.tar.gz"
        broken.write_bytes(b"not a model")
        point_to(broken)
        failed = wait_for_model(service.base_url, second.name, state="failed")
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert failures == []
    assert served == {first.name, second.name}
    assert swapped["model"] == second.name
    assert (failed["model"], failed["reload"]["model"]) == (second.name, broken.name)
    events = [event["event"] for event in service.events()]
    assert events.count("nlu.watch_reload") == 2
    assert "nlu.model_swapped" in events
