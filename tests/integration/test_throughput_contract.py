"""One contract, both limiters and both flood throttles: what memory promises, Redis keeps.

Time is a controllable clock injected into both implementations (Redis gets it as a script
argument), so waits are computed exactly and no test sleeps.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from bot.errors import ServiceUnavailable
from bot.throughput.base import FloodThrottle, OutboundLimiter, OutboundLimits
from bot.throughput.memory import MemoryFloodThrottle, MemoryLimiter
from bot.throughput.redis import RedisFloodThrottle, RedisLimiter

pytestmark = pytest.mark.integration

MakeLimiter = Callable[..., OutboundLimiter]
MakeThrottle = Callable[..., FloodThrottle]


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


def fresh() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(
    request: pytest.FixtureRequest, redis_url: str, namespace: str, clock: FakeClock
) -> AsyncIterator[MakeLimiter]:
    made: list[OutboundLimiter] = []

    def make(limits: OutboundLimits | None = None) -> OutboundLimiter:
        limiter: OutboundLimiter = (
            MemoryLimiter(limits, clock=clock, sleep=clock.sleep)
            if request.param == "memory"
            else RedisLimiter(redis_url, limits, prefix=namespace, clock=clock, sleep=clock.sleep)
        )
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


@pytest.fixture(params=["memory", "redis"])
async def make_throttle(
    request: pytest.FixtureRequest, redis_url: str, namespace: str, clock: FakeClock
) -> AsyncIterator[MakeThrottle]:
    made: list[FloodThrottle] = []

    def make(limit: int = 100, window: float = 60.0) -> FloodThrottle:
        throttle: FloodThrottle = (
            MemoryFloodThrottle(limit=limit, window=window, clock=clock)
            if request.param == "memory"
            else RedisFloodThrottle(
                redis_url, prefix=namespace, limit=limit, window=window, clock=clock
            )
        )
        made.append(throttle)
        return throttle

    yield make
    for throttle in made:
        await throttle.close()


def slots(count: int, burst: int, interval: float) -> list[float]:
    """The delays of `count` reservations made at one instant: a burst, then one per interval."""
    return [max(0, i - burst + 1) * interval for i in range(count)]


# --- per business number -------------------------------------------------------------------


async def test_the_number_allows_its_burst_then_asks_to_wait(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()  # defaults: 80/s, burst 10
    number = fresh()
    got = [await limiter.reserve(number, fresh()) for _ in range(13)]
    assert all(reservation.held for reservation in got)
    assert [r.delay for r in got] == pytest.approx(slots(13, 10, 1 / 80), abs=1e-9)
    assert got[10].delay == pytest.approx(0.0125)


async def test_concurrent_reservations_each_get_their_own_slot(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(OutboundLimits(rate=50, burst=5))
    number = fresh()
    got = await asyncio.gather(*(limiter.reserve(number, fresh()) for _ in range(200)))
    assert sorted(r.delay for r in got) == pytest.approx(slots(200, 5, 0.02), abs=1e-9)


async def test_the_rate_is_honoured_over_many_reservations(
    make_limiter: MakeLimiter, clock: FakeClock
) -> None:
    rate, burst = 50.0, 5
    limiter = make_limiter(OutboundLimits(rate=rate, burst=burst))
    number, rng = fresh(), random.Random(7)
    arrivals: list[float] = []
    sends: list[float] = []
    for _ in range(400):
        clock.advance(rng.choice([0.0, 0.0, 0.001, 0.01, 0.05, 0.3]))
        reservation = await limiter.reserve(number, fresh())
        assert reservation.held
        arrivals.append(clock.now)
        sends.append(clock.now + reservation.delay)
    eps = 1e-6
    assert sends == sorted(sends)  # first come, first served
    for i in range(len(sends)):
        # Never more than the bucket allows: burst + rate * elapsed in any stretch of time...
        for j in range(i + 1, min(i + 60, len(sends))):
            assert j - i + 1 <= burst + (sends[j] - sends[i]) * rate + eps
        # ...and never a wait the bucket did not need: either it went on arrival or it went as
        # soon as a stretch ending with it became full.
        tight = any(
            abs(i - k + 1 - (burst + (sends[i] - sends[k]) * rate)) < eps
            for k in range(max(0, i - 60), i)
        )
        assert sends[i] == pytest.approx(arrivals[i], abs=eps) or tight
    assert (sends[-1] - sends[0]) > (len(sends) - burst) / rate - eps


async def test_a_number_can_run_faster_by_setting_or_by_call(make_limiter: MakeLimiter) -> None:
    fast, default = fresh(), fresh()
    limiter = make_limiter(OutboundLimits(burst=1, rates={fast: 1000}))
    assert [(await limiter.reserve(fast, fresh())).delay for _ in range(2)] == pytest.approx(
        [0, 0.001]
    )
    assert [(await limiter.reserve(default, fresh())).delay for _ in range(2)] == pytest.approx(
        [0, 1 / 80]
    )
    coexistence = fresh()
    got = [(await limiter.reserve(coexistence, fresh(), rate=20)).delay for _ in range(2)]
    assert got == pytest.approx([0, 0.05])


# --- per recipient ---------------------------------------------------------------------------


async def test_a_turn_goes_at_once_then_the_shopper_is_paced(
    make_limiter: MakeLimiter, clock: FakeClock
) -> None:
    limiter = make_limiter()  # defaults: burst 3, then one per 6 s
    number, shopper = fresh(), fresh()
    turn = [await limiter.reserve(number, shopper) for _ in range(3)]
    assert [(r.delay, r.held) for r in turn] == [(0.0, True)] * 3
    paced = await limiter.reserve(number, shopper)
    assert (paced.delay, paced.held) == (pytest.approx(6.0), False)
    clock.advance(6.0)
    assert await limiter.reserve(number, shopper) == type(paced)(0.0, True)
    again = await limiter.reserve(number, shopper)
    assert (again.delay, again.held) == (pytest.approx(6.0), False)


async def test_a_paced_shopper_consumes_nothing(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(OutboundLimits(rate=1, burst=4, pair_burst=1))
    number, shopper = fresh(), fresh()
    assert (await limiter.reserve(number, shopper)).held
    for _ in range(10):
        assert not (await limiter.reserve(number, shopper)).held
    # Only the one held message used the number's burst of 4.
    assert [(await limiter.reserve(number, fresh())).delay for _ in range(4)] == pytest.approx(
        [0, 0, 0, 1]
    )


async def test_pacing_is_independent_across_recipients(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    number, busy, other = fresh(), fresh(), fresh()
    for _ in range(3):
        await limiter.reserve(number, busy)
    assert not (await limiter.reserve(number, busy)).held
    assert (await limiter.reserve(number, other)).delay == 0.0
    assert (await limiter.reserve(fresh(), busy)).delay == 0.0  # same shopper, another shop


async def test_a_shopper_behind_a_busy_number_keeps_the_turn_together(
    make_limiter: MakeLimiter,
) -> None:
    limiter = make_limiter(OutboundLimits(rate=10, burst=1))
    number, shopper = fresh(), fresh()
    for _ in range(20):  # two seconds of queue on the number
        await limiter.reserve(number, fresh())
    turn = [await limiter.reserve(number, shopper) for _ in range(3)]
    assert all(r.held for r in turn)
    assert [r.delay for r in turn] == pytest.approx([2.0, 2.1, 2.2])


async def test_acquire_waits_out_the_pacing(make_limiter: MakeLimiter, clock: FakeClock) -> None:
    limiter = make_limiter()
    number, shopper = fresh(), fresh()
    waited = [await limiter.acquire(number, shopper) for _ in range(5)]
    assert waited == pytest.approx([0, 0, 0, 6, 6])
    assert clock.slept == pytest.approx([6, 6])


# --- penalties -------------------------------------------------------------------------------


async def test_a_pair_penalty_holds_back_that_shopper_only(
    make_limiter: MakeLimiter, clock: FakeClock
) -> None:
    limiter = make_limiter()
    number, shopper = fresh(), fresh()
    await limiter.penalise(number, shopper, 30)
    held_back = await limiter.reserve(number, shopper)
    assert (held_back.delay, held_back.held) == (pytest.approx(30), False)
    assert (await limiter.reserve(number, fresh())).delay == 0.0
    clock.advance(30)
    assert (await limiter.reserve(number, shopper)).held
    after = await limiter.reserve(number, shopper)  # no burst after a penalty
    assert (after.delay, after.held) == (pytest.approx(6), False)


async def test_a_number_penalty_holds_back_every_shopper(
    make_limiter: MakeLimiter, clock: FakeClock
) -> None:
    limiter = make_limiter()
    number = fresh()
    await limiter.penalise(number, None, 2)
    got = [await limiter.reserve(number, fresh()) for _ in range(2)]
    assert all(r.held for r in got)
    assert [r.delay for r in got] == pytest.approx([2, 2 + 1 / 80])
    assert (await limiter.reserve(fresh(), fresh())).delay == 0.0  # another number


async def test_a_penalty_never_shortens_a_wait(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    number, shopper = fresh(), fresh()
    await limiter.penalise(number, shopper, 30)
    await limiter.penalise(number, shopper, 5)
    await limiter.penalise(number, shopper, 0)
    assert (await limiter.reserve(number, shopper)).delay == pytest.approx(30)


# --- inbound floods --------------------------------------------------------------------------


async def test_a_flood_is_flagged_once_per_window(
    make_throttle: MakeThrottle, clock: FakeClock
) -> None:
    throttle = make_throttle(limit=5, window=60)
    clock.now = 60 * 16_667 + 20.0  # 20 s into a window (windows start at multiples of 60 s)
    number, shopper = fresh(), fresh()
    allowed = [await throttle.hit(number, shopper) for _ in range(5)]
    assert [(v.allowed, v.first_flood, v.retry_after, v.count) for v in allowed] == [
        (True, False, 0.0, n) for n in range(1, 6)
    ]
    clock.advance(10)
    flooded = [await throttle.hit(number, shopper) for _ in range(3)]
    assert [(v.flooded, v.first_flood) for v in flooded] == [
        (True, True),
        (True, False),
        (True, False),
    ]
    assert [v.retry_after for v in flooded] == pytest.approx([30, 30, 30])


async def test_a_flood_leaves_other_senders_alone(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(limit=2)
    number, flooder = fresh(), fresh()
    for _ in range(3):
        await throttle.hit(number, flooder)
    assert (await throttle.hit(number, fresh())).allowed
    assert (await throttle.hit(fresh(), flooder)).allowed  # same shopper, another shop


async def test_the_next_window_starts_afresh(make_throttle: MakeThrottle, clock: FakeClock) -> None:
    throttle = make_throttle(limit=2, window=60)
    clock.now = 60 * 16_667 + 50.0
    number, shopper = fresh(), fresh()
    verdicts = [await throttle.hit(number, shopper) for _ in range(3)]
    assert verdicts[-1].first_flood
    clock.advance(verdicts[-1].retry_after)
    fresh_window = [await throttle.hit(number, shopper) for _ in range(4)]
    assert [(v.allowed, v.first_flood, v.count) for v in fresh_window] == [
        (True, False, 1),
        (True, False, 2),
        (False, True, 3),
        (False, False, 4),
    ]


# --- Redis only: many processes, server time, outages ----------------------------------------


async def test_two_processes_share_one_budget(
    redis_url: str, namespace: str, clock: FakeClock
) -> None:
    limits = OutboundLimits(rate=100, burst=4)
    first, second = (
        RedisLimiter(redis_url, limits, prefix=namespace, clock=clock) for _ in range(2)
    )
    number = fresh()
    try:
        got = await asyncio.gather(
            *((first, second)[i % 2].reserve(number, fresh()) for i in range(300))
        )
    finally:
        await first.close()
        await second.close()
    assert sorted(r.delay for r in got) == pytest.approx(slots(300, 4, 0.01), abs=1e-9)


async def test_two_processes_pace_one_shopper_together(
    redis_url: str, namespace: str, clock: FakeClock
) -> None:
    first, second = (RedisLimiter(redis_url, prefix=namespace, clock=clock) for _ in range(2))
    number, shopper = fresh(), fresh()
    try:
        got = await asyncio.gather(
            *((first, second)[i % 2].reserve(number, shopper) for i in range(8))
        )
    finally:
        await first.close()
        await second.close()
    assert sorted(r.held for r in got) == [False] * 5 + [True] * 3


async def test_redis_server_time_paces_across_clients(redis_url: str, namespace: str) -> None:
    limits = OutboundLimits(rate=2, burst=2)
    first, second = (RedisLimiter(redis_url, limits, prefix=namespace) for _ in range(2))
    number = fresh()
    try:
        got = await asyncio.gather(
            *((first, second)[i % 2].reserve(number, fresh()) for i in range(6))
        )
    finally:
        await first.close()
        await second.close()
    # Each delay counts from its own call; the calls are milliseconds apart, the slots 0.5 s.
    for delay, expected in zip(sorted(r.delay for r in got), slots(6, 2, 0.5), strict=True):
        assert expected - 0.25 <= delay <= expected


async def test_an_unreachable_redis_is_a_clear_error() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0")
    throttle = RedisFloodThrottle("redis://127.0.0.1:1/0")
    with pytest.raises(ServiceUnavailable, match="REDIS_URL"):
        await limiter.start()
    with pytest.raises(ServiceUnavailable, match="REDIS_URL"):
        await limiter.reserve("1", "2")
    with pytest.raises(ServiceUnavailable, match="REDIS_URL"):
        await throttle.hit("1", "2")
    assert not await limiter.ready()
    await limiter.close()
    await throttle.close()
