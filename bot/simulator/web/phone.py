"""The shopper's side of WhatsApp: webhook bodies as Meta builds them, signed and posted to the
gateway — the messages the shopper writes and the delivery statuses of what the bot sends."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from channels.whatsapp.signature import sign

StatusKind = Literal["sent", "delivered", "read"]


@dataclass(frozen=True, slots=True)
class Phone:
    gateway_url: str
    app_secret: str
    http: httpx.AsyncClient

    async def post(self, body: dict[str, Any]) -> int:
        """POST one webhook body, signed as Meta signs it; the gateway's status code (503 when
        the gateway cannot be reached: Meta would retry, and so may the user)."""
        raw = json.dumps(body).encode()
        try:
            response = await self.http.post(
                f"{self.gateway_url}/webhooks/whatsapp",
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, self.app_secret),
                },
            )
        except httpx.TransportError:
            return 503
        return response.status_code

    async def status(
        self,
        *,
        phone_number_id: str,
        display_phone_number: str,
        recipient: str,
        message_id: str,
        status: StatusKind,
    ) -> int:
        return await self.post(
            status_body(
                phone_number_id=phone_number_id,
                display_phone_number=display_phone_number,
                recipient=recipient,
                message_id=message_id,
                status=status,
            )
        )


def status_body(
    *,
    phone_number_id: str,
    display_phone_number: str,
    recipient: str,
    message_id: str,
    status: StatusKind,
) -> dict[str, Any]:
    """A status webhook for one message the business sent (shape of FACTS.md's fixtures)."""
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if status != "read":  # Meta prices on sent/delivered; a read carries no pricing
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone_number,
                                "phone_number_id": phone_number_id,
                            },
                            "statuses": [entry],
                        },
                    }
                ],
            }
        ],
    }


def with_context(message: dict[str, Any], replied_to: str | None, business: str) -> dict[str, Any]:
    """A reply quotes the business message it answers, as WhatsApp does for button taps."""
    if not replied_to:
        return message
    return {"context": {"from": business, "id": replied_to}, **message}


def location(
    latitude: float, longitude: float, name: str = "", address: str = ""
) -> dict[str, Any]:
    place: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name:
        place["name"] = name
    if address:
        place["address"] = address
    return {"type": "location", "location": place}


def image(media_id: str, mime_type: str, sha256: str, caption: str = "") -> dict[str, Any]:
    content: dict[str, Any] = {"id": media_id, "mime_type": mime_type, "sha256": sha256}
    if caption:
        content["caption"] = caption
    return {"type": "image", "image": content}


def template_button(payload: str, text: str) -> dict[str, Any]:
    """A tap on a template's quick-reply button: Meta reports it as type `button`."""
    return {"type": "button", "button": {"payload": payload, "text": text}}
