"""Channel-neutral delivery receipts: how far one of our replies got."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DeliveryUpdate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: str = "whatsapp"
    business_id: str  # the business number the reply went from (WhatsApp phone_number_id)
    message_id: str  # the channel's id of our reply (wamid)
    status: str  # sent | delivered | read | played | failed
    timestamp: int
    recipient: str | None = None
    error_code: int | None = None
    error_detail: str | None = None
    # What we attached when sending (the shop's tenant id): a marketplace number speaks for
    # many shops, so its statuses say which shop's log they belong to.
    callback_data: str | None = None
