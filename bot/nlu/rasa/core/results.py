"""The parse result the service returns for one text, from a Rasa Message or our own record.

Both serving engines (Rasa's graph and the fast pipeline) end here, so their output has one
shape: {"text", "intent", "intent_ranking" (top 5), "entities", "language"}.
"""

from __future__ import annotations

from typing import Any, Protocol

RANKING_LENGTH = 5
UNDETERMINED: dict[str, Any] = {"code": "und", "confidence": 0.0, "scores": {}}


class HasGet(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


def parse_result(text: str, message: HasGet) -> dict[str, Any]:
    intent = message.get("intent") or {}
    ranking = message.get("intent_ranking") or []
    language = message.get("language") or UNDETERMINED
    return {
        "text": text,
        "intent": _intent(intent),
        "intent_ranking": [_intent(item) for item in ranking[:RANKING_LENGTH]],
        "entities": list(message.get("entities") or []),
        "language": dict(language),
    }


def empty_result(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": None, "confidence": 0.0},
        "intent_ranking": [],
        "entities": [],
        "language": dict(UNDETERMINED),
    }


def _intent(intent: dict[str, Any]) -> dict[str, Any]:
    name = intent.get("name")
    # Classifiers may hand back numpy scalars; plain types keep the JSON encoder simple.
    return {
        "name": None if name is None else str(name),
        "confidence": float(intent.get("confidence") or 0.0),
    }
