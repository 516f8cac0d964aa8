"""WhatsApp's 24-hour customer-service window, per business number and shopper.

Free-form messages may only go while the window is open (it opens, and re-opens, each time
the shopper writes). Outside it only an approved template may go; a reply that finds the
window closed is held and released, in order, the next time the shopper writes.
"""

from __future__ import annotations

import time

from bot.store.base import Store

WINDOW_SECONDS = 24 * 3600
WINDOW = "window"


def window_key(business_id: str, user: str) -> str:
    return f"{business_id}:{user}"


async def opened(store: Store, business_id: str, user: str, timestamp: int) -> None:
    """The shopper wrote at `timestamp` (their message's own time, not when we saw it)."""
    remaining = WINDOW_SECONDS - (time.time() - timestamp)
    if remaining > 0:
        await store.put(WINDOW, window_key(business_id, user), str(timestamp), remaining)


async def is_open(store: Store, business_id: str, user: str) -> bool:
    return await store.get(WINDOW, window_key(business_id, user)) is not None
