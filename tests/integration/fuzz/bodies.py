"""Raw webhook bodies for fuzzing the gateway: bytes as they arrive, before any parsing."""

from __future__ import annotations

import json

from channels.whatsapp import simulate

NUMBER = "100000000000077"


def text_message(text: str) -> bytes:
    body = simulate.message_body(phone_number_id=NUMBER, sender="27820007777", message={})
    body["entry"][0]["changes"][0]["value"]["messages"][0].update(simulate.text(text))
    return json.dumps(body).encode()


def encoded(value: object, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode()


def timed_message(timestamp: int | str) -> bytes:
    """A text message whose timestamp is any JSON integer, or any string of digits."""
    body = json.loads(text_message("hi"))
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = timestamp
    return json.dumps(body).encode()


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth
