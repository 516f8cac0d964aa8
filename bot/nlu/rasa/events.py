"""One-line JSON events on stdout for the NLU service (runs under Rasa's Python 3.10).

Stdout carries only these lines, so supervisors and tests can parse it; Rasa's and the
libraries' own logs go to stderr.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def log_event(event: str, **fields: Any) -> None:
    line = json.dumps({"event": event, "ts": round(time.time(), 3), **fields}, default=str)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
