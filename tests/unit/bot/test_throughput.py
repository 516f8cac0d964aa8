"""Limits refuse settings that cannot work, and the arithmetic behind both limiters holds."""

from __future__ import annotations

import math

import pytest

from bot.errors import WakalaError
from bot.throughput import gcra
from bot.throughput.base import Cell, FloodVerdict, LimitConfigError, OutboundLimits
from bot.throughput.memory import MemoryFloodThrottle, MemoryLimiter

NOW = 1_000_000_000_000  # microseconds


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate": 0}, r"rate=0 must be a positive number"),
        ({"rate": -5.0}, r"rate=-5.0 must be a positive number"),
        ({"rate": math.nan}, r"rate=nan must be a positive number"),
        ({"rate": 1001}, r"rate=1001 is above the ceiling; Meta allows up to 1000"),
        ({"rates": {"123": 5000}}, r"rates\['123'\]: rate=5000 is above the ceiling"),
        ({"burst": 0}, r"burst=0 must be 1 or more"),
        ({"pair_interval": 0.0}, r"pair_interval=0.0 must be a positive number"),
        ({"pair_burst": 0}, r"pair_burst=0 must be 1 or more"),
    ],
)
def test_limits_that_cannot_work_are_refused_with_the_field(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(LimitConfigError, match=message) as caught:
        OutboundLimits(**settings)  # type: ignore[arg-type]
    assert isinstance(caught.value, WakalaError)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("error[WAK010]")


def test_the_defaults_follow_meta() -> None:
    limits = OutboundLimits()
    assert (limits.rate, limits.burst, limits.pair_interval, limits.pair_burst) == (80, 10, 6, 3)
    assert limits.number_cell("any") == Cell(interval=12_500, tolerance=9 * 12_500)
    assert limits.pair_cell() == Cell(interval=6_000_000, tolerance=12_000_000)


def test_a_number_setting_and_a_call_override_the_default() -> None:
    limits = OutboundLimits(rates={"fast": 1000})
    assert limits.number_cell("fast").interval == 1_000
    assert limits.number_cell("slow").interval == 12_500
    assert limits.number_cell("fast", rate=20).interval == 50_000


async def test_a_bad_rate_on_the_call_is_refused() -> None:
    with pytest.raises(LimitConfigError, match="rate=2000"):
        await MemoryLimiter().reserve("1", "2", rate=2000)


async def test_a_negative_penalty_is_refused() -> None:
    with pytest.raises(LimitConfigError, match="seconds=-1"):
        await MemoryLimiter().penalise("1", "2", -1)


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (10, 0.0), (10, -1.0)])
def test_a_flood_setting_that_cannot_work_is_refused(limit: int, window: float) -> None:
    with pytest.raises(LimitConfigError):
        MemoryFloodThrottle(limit=limit, window=window)


def test_an_idle_bucket_sends_now_and_moves_on_by_one_interval() -> None:
    number, pair = Cell(10, 20), Cell(100, 200)
    decision = gcra.reserve(NOW, 0, number, 0, pair)
    assert decision == gcra.Decision(True, 0, NOW + 10, NOW + 100)


def test_a_paced_pair_leaves_both_buckets_as_they_were() -> None:
    number, pair = Cell(10, 0), Cell(100, 0)
    decision = gcra.reserve(NOW, NOW - 5, number, NOW + 70, pair)
    assert decision == gcra.Decision(False, 70, NOW - 5, NOW + 70)


def test_the_pair_is_judged_when_the_number_can_send() -> None:
    # The number's queue reaches 50 µs out; by then the pair, due at +30, may go.
    number, pair = Cell(10, 0), Cell(100, 0)
    decision = gcra.reserve(NOW, NOW + 50, number, NOW + 30, pair)
    assert decision == gcra.Decision(True, 50, NOW + 60, NOW + 150)


def test_a_penalty_starts_the_pace_after_it_ends() -> None:
    cell = Cell(100, 200)
    tat = gcra.penalise(NOW, 0, cell, 1_000)
    assert tat - cell.tolerance == NOW + 1_000
    assert gcra.penalise(NOW, tat, cell, 10) == tat


def test_hits_count_within_a_fixed_window() -> None:
    window = 60_000_000
    start = 16_667 * window
    first = gcra.count_hit(start + 5, window, None, 0)
    assert first == gcra.WindowCount(16_667, 1, window - 5)
    assert gcra.count_hit(start + 9, window, 16_667, 1).count == 2
    assert gcra.count_hit(start + window, window, 16_667, 7) == gcra.WindowCount(16_668, 1, window)


def test_a_verdict_flags_only_the_first_message_over_the_limit() -> None:
    verdicts = [FloodVerdict.judge(2, count, 1_500_000) for count in (1, 2, 3, 4)]
    assert [(v.allowed, v.flooded, v.first_flood) for v in verdicts] == [
        (True, False, False),
        (True, False, False),
        (False, True, True),
        (False, True, False),
    ]
    assert [v.retry_after for v in verdicts] == [0.0, 0.0, 1.5, 1.5]


async def test_the_memory_limiter_forgets_buckets_at_rest() -> None:
    now = [0.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    for i in range(20_000):
        now[0] += 0.1  # slower than every limit: each bucket is at rest 6 s later
        await limiter.reserve("shop", f"shopper-{i}")
    assert len(limiter._tats) < 2_500


async def test_the_memory_throttle_forgets_past_windows() -> None:
    now = [0.0]
    throttle = MemoryFloodThrottle(clock=lambda: now[0])
    for i in range(20_000):
        now[0] += 0.1
        await throttle.hit("shop", f"shopper-{i}")
    assert len(throttle._counts) < 2_500
