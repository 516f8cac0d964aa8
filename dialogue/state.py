"""A conversation's state: a small record, serialised to a few hundred bytes in the state store."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Enough to recognise a redelivered message; Meta retries the same id, never an old one.
PROCESSED_KEEP = 20


class ConversationState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    state: str = "start"
    language: str | None = None  # the shopper's preferred language once known
    language_candidate: str | None = None  # see dialogue.language: a switch in the making
    language_run: int = 0
    slots: dict[str, Any] = Field(default_factory=dict)
    fallbacks: int = 0  # unmatched messages in a row (two-stage fallback)
    processed: list[str] = Field(default_factory=list)  # recent inbound message ids, oldest first
    updated_at: int = 0  # unix seconds of the last turn

    def has_processed(self, message_id: str) -> bool:
        return message_id in self.processed

    def mark_processed(self, message_id: str, now: int) -> ConversationState:
        kept = [*self.processed, message_id][-PROCESSED_KEEP:]
        return self.model_copy(update={"processed": kept, "updated_at": now})
