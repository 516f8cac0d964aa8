"""Client of the action server over Rasa's action-server protocol."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from bot.errors import ServiceUnavailable
from bot.observability import metrics
from bot.observability.tracing import tracer

log = logging.getLogger("wakala.actions_client")


class ActionsClient:
    def __init__(self, base_url: str, token: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http

    async def run(
        self,
        action: str,
        *,
        sender_id: str,
        slots: dict[str, Any],
        latest_message: dict[str, Any],
    ) -> dict[str, Any]:
        call = {
            "next_action": action,
            "sender_id": sender_id,
            "tracker": {
                "sender_id": sender_id,
                "slots": slots,
                "latest_message": latest_message,
                "events": [],
            },
            "domain": {},
            "version": "3.6.21",
        }
        try:
            with tracer().start_as_current_span(f"action {action}"):
                started = time.perf_counter()
                response = await self.http.post(
                    f"{self.base_url}/webhook",
                    json=call,
                    headers={"Authorization": f"Bearer {self.token}"},
                )
                metrics.ACTION_SECONDS.labels(action).observe(time.perf_counter() - started)
            if response.status_code == 404:
                # A flow names an action the server does not have: retrying cannot help.
                log.error("unknown action", extra={"event": "action.unknown", "action": action})
                return {"events": [], "responses": [{"response": "utter_action_failed"}]}
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(f"action {action!r} failed at {self.base_url}: {exc}") from exc
        return body

    async def ready(self) -> bool:
        try:
            response = await self.http.get(f"{self.base_url}/health")
        except httpx.HTTPError:
            return False
        return response.status_code == 200
