"""Rate limits shared by every process: outbound pacing to Meta, inbound flood throttling.

Outbound (`OutboundLimiter`): a send slot per message against two limits at once, the business
number's throughput (Meta: 80 messages/s by default, up to 1,000; error 130429) and the pair
rate to one shopper (about one message per 6 s; error 131056). Inbound (`FloodThrottle`): more
than N messages a minute from one shopper is a flood, told to the shopper once.

Each comes in-memory (embedded, single process) and on Redis (one Lua script per call, so every
sender and gateway process shares one budget), and both pass one contract test.
"""

from bot.throughput.base import (
    DEFAULT_FLOOD_LIMIT,
    DEFAULT_FLOOD_WINDOW,
    DEFAULT_NUMBER_BURST,
    DEFAULT_NUMBER_RATE,
    DEFAULT_PAIR_BURST,
    DEFAULT_PAIR_INTERVAL,
    MAX_NUMBER_RATE,
    FloodThrottle,
    FloodVerdict,
    LimitConfigError,
    OutboundLimiter,
    OutboundLimits,
    Reservation,
)
from bot.throughput.memory import MemoryFloodThrottle, MemoryLimiter
from bot.throughput.redis import RedisFloodThrottle, RedisLimiter

__all__ = [
    "DEFAULT_FLOOD_LIMIT",
    "DEFAULT_FLOOD_WINDOW",
    "DEFAULT_NUMBER_BURST",
    "DEFAULT_NUMBER_RATE",
    "DEFAULT_PAIR_BURST",
    "DEFAULT_PAIR_INTERVAL",
    "MAX_NUMBER_RATE",
    "FloodThrottle",
    "FloodVerdict",
    "LimitConfigError",
    "MemoryFloodThrottle",
    "MemoryLimiter",
    "OutboundLimiter",
    "OutboundLimits",
    "RedisFloodThrottle",
    "RedisLimiter",
    "Reservation",
]
