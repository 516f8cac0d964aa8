"""Redis limiter and throttle: one Lua script per call, so every process shares one budget.

Time is Redis server time (`TIME` inside the script) unless a `clock` is injected: one clock
for all sender hosts, whatever their own clocks say. Keys carry the phone_number_id as a hash
tag, so a number's bucket and its pairs' buckets share a Redis Cluster slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.errors import ServiceUnavailable
from bot.store.redis import resilient
from bot.throughput.base import (
    DEFAULT_FLOOD_LIMIT,
    DEFAULT_FLOOD_WINDOW,
    MICROS,
    Clock,
    FloodVerdict,
    OutboundLimits,
    Pacing,
    Reservation,
    Sleep,
    check_flood,
    check_penalty,
)

# Shared prologue: ARGV[1] is now in microseconds, or '' for Redis server time. `ttl(us)` is
# how long a key must live: a key at rest reads like no key, so a floor of 10 s costs only
# memory, and keeps an injected clock (tests, replays) from racing Redis's real-time expiry.
_NOW = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function ttl(us)
  return math.max(10000, math.ceil(us / 1000) + 1)
end
"""

# gcra.reserve(). KEYS: number bucket, pair bucket.
# ARGV[2..5]: number interval, number tolerance, pair interval, pair tolerance (microseconds).
RESERVE = (
    _NOW
    + """
local ni, nt = tonumber(ARGV[2]), tonumber(ARGV[3])
local pi, pt = tonumber(ARGV[4]), tonumber(ARGV[5])
local ntat = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now)
local ptat = math.max(tonumber(redis.call('GET', KEYS[2]) or 0), now)
local send = math.max(now, ntat - nt)
local pair_at = ptat - pt
if pair_at > send then
  return {0, pair_at - now}
end
ntat = ntat + ni
ptat = math.max(ptat, send) + pi
redis.call('SET', KEYS[1], ntat, 'PX', ttl(ntat - now))
redis.call('SET', KEYS[2], ptat, 'PX', ttl(ptat - now))
return {1, send - now}
"""
)

# gcra.penalise(). KEYS: the bucket. ARGV[2..3]: penalty, tolerance (microseconds).
PENALISE = (
    _NOW
    + """
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or 0),
                     now + tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('SET', KEYS[1], tat, 'PX', ttl(tat - now))
return {tat - now}
"""
)

# gcra.count_hit(). KEYS: the sender's counter. ARGV[2]: window (microseconds).
HIT = (
    _NOW
    + """
local window = tonumber(ARGV[2])
local index = math.floor(now / window)
local last = redis.call('HMGET', KEYS[1], 'w', 'n')
local count = 1
if tonumber(last[1]) == index then
  count = tonumber(last[2]) + 1
end
local ends_in = (index + 1) * window - now
redis.call('HSET', KEYS[1], 'w', index, 'n', count)
redis.call('PEXPIRE', KEYS[1], ttl(ends_in))
return {count, ends_in}
"""
)


class _RedisScripts:
    """Connection, health and error translation shared by the limiter and the throttle."""

    def __init__(self, url: str, prefix: str, clock: Clock | None, max_connections: int) -> None:
        self.url = url
        self.prefix = prefix
        self._clock = clock
        # Blocking pool: a burst of concurrent sends queues for a connection instead of failing
        # with "Too many connections" (redis-py's default pool refuses past 100).
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=5,
            **resilient(),
        )
        self._redis: Redis = Redis.from_pool(pool)

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc

    async def close(self) -> None:
        await self._redis.aclose()

    async def ready(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    def _now_arg(self) -> int | str:
        return "" if self._clock is None else round(self._clock() * MICROS)

    async def _run(self, script: AsyncScript, keys: Sequence[str], *args: int) -> list[int]:
        try:
            result = await script(keys=list(keys), args=[self._now_arg(), *args])
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        return [int(value) for value in result]


def _unavailable(exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"cannot reach Redis for rate limits ({exc}); start it (see DEVELOPERS.md) or fix REDIS_URL"
    )


class RedisLimiter(_RedisScripts, Pacing):
    def __init__(
        self,
        url: str,
        limits: OutboundLimits | None = None,
        *,
        prefix: str = "wakala",
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        max_connections: int = 50,
    ) -> None:
        super().__init__(url, prefix, clock, max_connections)
        self.limits = limits or OutboundLimits()
        self._sleep = sleep
        self._reserve = self._redis.register_script(RESERVE)
        self._penalise = self._redis.register_script(PENALISE)

    def _number_key(self, phone_number_id: str) -> str:
        return f"{self.prefix}:rate:{{{phone_number_id}}}"

    def _pair_key(self, phone_number_id: str, recipient: str) -> str:
        return f"{self._number_key(phone_number_id)}:{recipient}"

    async def reserve(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> Reservation:
        number, pair = self.limits.number_cell(phone_number_id, rate), self.limits.pair_cell()
        held, delay = await self._run(
            self._reserve,
            (self._number_key(phone_number_id), self._pair_key(phone_number_id, recipient)),
            number.interval,
            number.tolerance,
            pair.interval,
            pair.tolerance,
        )
        return Reservation(delay / MICROS, bool(held))

    async def penalise(
        self,
        phone_number_id: str,
        recipient: str | None,
        seconds: float,
        *,
        rate: float | None = None,
    ) -> None:
        penalty = check_penalty(seconds)
        if recipient is None:
            key = self._number_key(phone_number_id)
            cell = self.limits.number_cell(phone_number_id, rate)
        else:
            key, cell = self._pair_key(phone_number_id, recipient), self.limits.pair_cell()
        await self._run(self._penalise, (key,), penalty, cell.tolerance)


class RedisFloodThrottle(_RedisScripts):
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "wakala",
        limit: int = DEFAULT_FLOOD_LIMIT,
        window: float = DEFAULT_FLOOD_WINDOW,
        clock: Clock | None = None,
        max_connections: int = 50,
    ) -> None:
        check_flood(limit, window)
        super().__init__(url, prefix, clock, max_connections)
        self.limit = limit
        self.window = window
        self._window_us = round(window * MICROS)
        self._hit = self._redis.register_script(HIT)

    async def hit(self, phone_number_id: str, sender: str) -> FloodVerdict:
        key = f"{self.prefix}:flood:{{{phone_number_id}}}:{sender}"
        count, ends_in = await self._run(self._hit, (key,), self._window_us)
        return FloodVerdict.judge(self.limit, count, ends_in)
