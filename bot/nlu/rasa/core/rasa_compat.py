"""Rasa 3.6's small built-in NLU steps, re-implemented without importing Rasa.

The fast serving pipeline runs these where a Rasa-loaded graph runs Rasa's own classes; each
mirrors the named Rasa source exactly (tests compare the two on the same model):

- `FallbackClassifier.process` (rasa/nlu/classifiers/fallback_classifier.py)
- `EntitySynonymMapper.replace_synonyms` (rasa/nlu/extractors/entity_synonyms.py)
- `YAMLStoryReader.unpack_regex_message`, run by `RegexMessageHandler` for texts starting
  with "/" (rasa/shared/core/training_data/story_reader/yaml_story_reader.py), without a
  domain, as in an NLU-only model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_DEFAULTS = {"threshold": 0.3, "ambiguity_threshold": 0.1}
SYNONYMS_FILE = "synonyms.json"
_REGEX_MESSAGE = re.compile(
    r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)"
)


def fallback(result: dict[str, Any], config: Mapping[str, Any]) -> None:
    """Replace a low-confidence or ambiguous intent with nlu_fallback (in place)."""
    settings = {**FALLBACK_DEFAULTS, **config}
    threshold = settings["threshold"]
    confidence = result["intent"].get("confidence")
    below = confidence < threshold
    ranking = result.get("intent_ranking", [])
    ambiguous = (
        len(ranking) >= 2
        and ranking[0].get("confidence", 1.0) - ranking[1].get("confidence", 1.0)
        < settings["ambiguity_threshold"]
    )
    if below or ambiguous:
        result["intent"] = {"name": FALLBACK_INTENT, "confidence": threshold}
        result.setdefault("intent_ranking", [])
        result["intent_ranking"].insert(0, {"name": FALLBACK_INTENT, "confidence": threshold})


def load_synonyms(directory: Path | None) -> dict[str, Any]:
    if directory is None or not (directory / SYNONYMS_FILE).is_file():
        return {}
    synonyms: dict[str, Any] = json.loads((directory / SYNONYMS_FILE).read_text("utf-8"))
    return synonyms


def replace_synonyms(entities: list[dict[str, Any]], synonyms: Mapping[str, Any]) -> None:
    for entity in entities:
        value = str(entity["value"]).lower()
        if value in synonyms:
            entity["value"] = synonyms[value]
            entity.setdefault("processors", []).append("EntitySynonymMapper")


def unpack_regex_message(text: str) -> dict[str, Any] | None:
    """The parse Rasa makes of `/intent@0.9{"entity": "value"}`, or None for other texts."""
    user_text = text.strip()
    if not user_text.startswith("/"):
        return None
    match = _REGEX_MESSAGE.match(user_text)
    if not match:
        return None
    intent = match.group("intent").strip()
    confidence = _confidence(match.group("confidence"))
    return {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": _entities(match),
    }


def _confidence(raw: str | None) -> float:
    if raw is None:
        return 1.0
    try:
        return min(max(float(raw[1:]), 0.0), 1.0)
    except ValueError:
        return 0.0


def _entities(match: re.Match[str]) -> list[dict[str, Any]]:
    raw = match.group("entities")
    if raw is None:
        return []
    try:
        parsed = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return []
    entities = []
    for kind, values in parsed.items():
        for value in values if isinstance(values, list) else [values]:
            entities.append(
                {
                    "entity": kind,
                    "value": value,
                    "start": match.start("entities"),
                    "end": match.end("entities"),
                    "extractor": "RegexMessageHandler",
                }
            )
    return entities
