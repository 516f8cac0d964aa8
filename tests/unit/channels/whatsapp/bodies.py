"""The project's own webhook bodies (tests/fixtures/whatsapp) for the WhatsApp tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from channels.whatsapp.parse import parse_webhook

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "whatsapp"

E = TypeVar("E")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def parse_one(name: str, event_type: type[E]) -> E:
    """Parse a body that must hold exactly one event, of `event_type`."""
    (event,) = parse_webhook(load(name))
    assert isinstance(event, event_type), event
    return event
