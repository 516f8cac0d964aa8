"""Follow `latest.json` in the models directory: a newly trained model gets served by itself.

`wakala nlu train` writes `<models>/latest.json` (`{"model": "nlu-<fingerprint>.tar.gz", ...}`)
atomically after every training. Each running service polls the file's stat (cheap) and,
when its content changes, reloads the model it names through the same path as
POST /model/reload: the old model keeps serving until the new one is fully loaded, so no
request is dropped. Every service sharing the directory follows; a changed file that names a
broken model is reported once (GET /model shows it) and not retried until it changes again.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from bot.nlu.rasa.events import log_event
from bot.nlu.rasa.http_api import ModelSlot

POINTER = "latest.json"


def read_pointer(models_root: Path) -> tuple[tuple[int, int], str | None]:
    """((mtime_ns, size), model file name) of the pointer; ((0, 0), None) if absent or bad."""
    path = models_root / POINTER
    try:
        stat = path.stat()
        name = json.loads(path.read_text("utf-8"))["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return (0, 0), None
    return (stat.st_mtime_ns, stat.st_size), name if isinstance(name, str) else None


async def follow_pointer(slot: ModelSlot, interval: float) -> None:
    """Reload whenever the pointer changes after start-up; runs until cancelled."""
    stamp, _ = read_pointer(slot.models_root)
    while True:
        await asyncio.sleep(interval)  # polling a file's stat: no inotify dependency
        new_stamp, name = read_pointer(slot.models_root)
        if new_stamp == stamp or slot.reloading is not None or slot.current is None:
            continue  # unchanged, or busy loading: look again next time
        stamp = new_stamp
        if name is None or os.path.basename(name) == slot.current.name:
            continue
        target = slot.models_root / os.path.basename(name)  # never outside the models root
        if not target.is_file():
            log_event("nlu.watch_missing", model=name)
            continue
        log_event("nlu.watch_reload", model=target.name)
        slot.start_reload(target)
