"""Exponential backoff with full jitter, for retrying work that failed for a passing reason.

"Full jitter" (AWS architecture blog, "Exponential Backoff And Jitter"): wait a uniformly random
time between 0 and min(cap, base * 2**attempt). Random waits spread out the senders that all hit
the same rate limit at once, instead of having them retry in lock-step.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger("wakala.retry")

_MAX_EXPONENT = 64  # 2**64 * any sane base is far past any cap; avoids float overflow


def backoff(
    attempt: int, *, base: float = 0.5, cap: float = 60.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Pure apart from `rng`: pass a seeded `random.Random` for repeatable tests.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be 0 or more, got {attempt}")
    if base <= 0 or cap <= 0:
        raise ValueError(f"base and cap must be positive, got base={base}, cap={cap}")
    ceiling = min(cap, base * 2.0 ** min(attempt, _MAX_EXPONENT))
    uniform = rng.uniform if rng is not None else random.uniform
    return uniform(0.0, ceiling)


async def persist(
    write: Callable[[], Awaitable[None]],
    *,
    what: str,
    retry_on: tuple[type[BaseException], ...],
    give_up_after: float = 300.0,
) -> None:
    """Run `write` until it succeeds, backing off between tries.

    For the record that follows a side effect already done (a message sent to WhatsApp, a
    turn's replies queued): letting its error requeue the work would redo the effect, and the
    shopper would get the reply twice. A store that is restarting is back within seconds;
    after `give_up_after` the error is raised as it would have been."""
    deadline = time.monotonic() + give_up_after
    attempt = 0
    while True:
        try:
            await write()
            return
        except retry_on as exc:
            if time.monotonic() >= deadline:
                raise
            wait = backoff(attempt, base=0.1, cap=5.0)
            log.warning(
                "cannot record %s yet; trying again",
                what,
                extra={"event": "retry.persist", "attempt": attempt + 1, "error": str(exc)},
            )
            attempt += 1
            await asyncio.sleep(wait)  # backoff before the next try, not a synchronisation
