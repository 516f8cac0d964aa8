"""Webhook bodies as Meta would send them, for the simulator, `wakala chat` and tests."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

_counter = itertools.count(1)


def new_message_id() -> str:
    # Real ids are opaque base64 strings prefixed "wamid."; uniqueness is all that matters here.
    return f"wamid.SIM{uuid.uuid4().hex}{next(_counter)}"


def message_body(
    *,
    phone_number_id: str,
    sender: str,
    message: dict[str, Any],
    display_phone_number: str = "27110000000",
    name: str = "Shopper",
    message_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """One webhook POST body carrying one user message (`message` holds type and content)."""
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
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": message_id or new_message_id(),
                                    "timestamp": str(timestamp or int(time.time())),
                                    **message,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def button_reply(reply_id: str, title: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    }


def list_reply(reply_id: str, title: str, description: str = "") -> dict[str, Any]:
    reply = {"id": reply_id, "title": title}
    if description:
        reply["description"] = description
    return {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": reply}}
