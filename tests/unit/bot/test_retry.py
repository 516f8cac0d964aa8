"""Exponential backoff with full jitter stays within its bounds and spreads retries out."""

from __future__ import annotations

import random
import statistics

import pytest

from bot.retry import backoff


@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 10, 50, 10_000])
def test_backoff_stays_between_zero_and_the_capped_exponential(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(60.0, 0.5 * 2.0 ** min(attempt, 64))
    delays = [backoff(attempt, rng=rng) for _ in range(500)]
    assert all(0.0 <= delay <= ceiling for delay in delays)


def test_backoff_grows_with_the_attempt_until_the_cap() -> None:
    rng = random.Random(1)
    means = [statistics.mean(backoff(n, rng=rng) for _ in range(2000)) for n in range(10)]
    assert means[:7] == sorted(means[:7])  # 0.25, 0.5, 1, 2, 4, 8, 16 on average
    assert means[0] == pytest.approx(0.25, rel=0.1)
    assert means[9] == pytest.approx(30.0, rel=0.1)  # capped at 60: uniform over [0, 60]


def test_backoff_is_jittered_not_lock_step() -> None:
    rng = random.Random(2)
    assert len({backoff(3, rng=rng) for _ in range(100)}) == 100


def test_the_same_seed_gives_the_same_delays() -> None:
    first = [backoff(n, rng=random.Random(7)) for n in range(8)]
    again = [backoff(n, rng=random.Random(7)) for n in range(8)]
    assert first == again


def test_base_and_cap_are_honoured() -> None:
    rng = random.Random(3)
    assert all(backoff(4, base=1.0, cap=5.0, rng=rng) <= 5.0 for _ in range(200))
    assert all(backoff(0, base=2.0, cap=100.0, rng=rng) <= 2.0 for _ in range(200))


def test_without_an_rng_it_still_works() -> None:
    assert 0.0 <= backoff(2) <= 2.0


@pytest.mark.parametrize(
    ("attempt", "base", "cap"), [(-1, 0.5, 60.0), (0, 0.0, 60.0), (0, 0.5, -1.0)]
)
def test_nonsense_arguments_are_refused(attempt: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        backoff(attempt, base=base, cap=cap)
