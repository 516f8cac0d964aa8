"""HTTP client of the NLU service (Rasa in its own environment): batched parses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.errors import ServiceUnavailable


@dataclass(frozen=True, slots=True)
class Parse:
    """One parsed text. Entities are Rasa-style dicts (`entity`, `start`, `end`, `value`):
    `quantity` values are numbers, `money` values integer cents, `unit` values normalised
    names ("kg", "l", "loaf"), `product` values the words the shopper used (the catalogue
    decides which product that is)."""

    text: str
    intent: str
    confidence: float
    language: str | None = None
    language_confidence: float = 0.0
    entities: tuple[dict[str, Any], ...] = ()
    ranking: tuple[tuple[str, float], ...] = field(default_factory=tuple)


def _parse(raw: dict[str, Any]) -> Parse:
    intent = raw.get("intent") or {}
    language = raw.get("language") or {}
    return Parse(
        text=str(raw.get("text", "")),
        intent=str(intent.get("name") or "nlu_fallback"),
        confidence=float(intent.get("confidence") or 0.0),
        language=language.get("code"),
        language_confidence=float(language.get("confidence") or 0.0),
        entities=tuple(raw.get("entities") or ()),
        ranking=tuple(
            (str(item.get("name")), float(item.get("confidence") or 0.0))
            for item in raw.get("intent_ranking") or ()
        ),
    )


class NluClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def parse(self, texts: list[str]) -> list[Parse]:
        try:
            response = await self.http.post(f"{self.base_url}/parse", json={"texts": texts})
            response.raise_for_status()
            results = response.json()["results"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise ServiceUnavailable(f"the NLU service at {self.base_url} failed: {exc}") from exc
        return [_parse(item) for item in results]

    async def ready(self) -> bool:
        try:
            response = await self.http.get(f"{self.base_url}/ready")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def model(self) -> dict[str, Any]:
        """The served model's identity and the state of any reload (GET /model)."""
        return await self._call("GET", "/model")

    async def reload(self, model_path: str) -> dict[str, Any]:
        """Ask the service to load `model_path` (a path it can read under its models
        directory) and swap to it once loaded; it keeps serving the old model meanwhile."""
        return await self._call("POST", "/model/reload", {"model": model_path})

    async def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        try:
            response = await self.http.request(method, f"{self.base_url}{path}", json=body)
            payload: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(f"the NLU service at {self.base_url} failed: {exc}") from exc
        if response.status_code >= 400:
            error = payload.get("error") or {}
            raise ServiceUnavailable(
                f"the NLU service at {self.base_url} refused {method} {path}: "
                f"{error.get('code', response.status_code)}: {error.get('message', '')}"
            )
        return payload
