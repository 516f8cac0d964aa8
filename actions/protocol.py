"""Rasa's action-server protocol (the part we use), so a rasa-sdk action server also plugs in.

Request: `POST /webhook` with `{next_action, sender_id, tracker, domain, version}`.
Reply: `{events: [...], responses: [...]}`; a response naming a domain response is
`{"response": "utter_x", ...variables}` as rasa-sdk's `dispatcher.utter_message(response=...)`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Tracker(BaseModel):
    model_config = ConfigDict(extra="allow")

    sender_id: str
    slots: dict[str, Any] = Field(default_factory=dict)
    latest_message: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)


class ActionCall(BaseModel):
    model_config = ConfigDict(extra="allow")

    next_action: str
    sender_id: str
    tracker: Tracker
    domain: dict[str, Any] = Field(default_factory=dict)
    version: str = ""


class ActionResponse(BaseModel):
    events: list[dict[str, Any]] = Field(default_factory=list)
    responses: list[dict[str, Any]] = Field(default_factory=list)


def slot_set(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def utter(response: str, **variables: Any) -> dict[str, Any]:
    return {"response": response, **variables}
