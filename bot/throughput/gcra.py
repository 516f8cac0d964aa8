"""The arithmetic, in whole microseconds, pure. `memory.py` calls it; the Lua in `redis.py`
is a line-by-line translation, so the contract test holds both to the same numbers.

GCRA (generic cell rate algorithm) keeps one number per bucket, the theoretical arrival time
`tat`: a send at `t` conforms when `t >= tat - tolerance`, and moves `tat` on by `interval`.
A bucket at or behind `now` is the same as no bucket, so idle keys can simply expire.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.throughput.base import Cell


@dataclass(frozen=True, slots=True)
class Decision:
    held: bool
    delay: int  # microseconds from now
    number_tat: int
    pair_tat: int


def reserve(now: int, number_tat: int, number: Cell, pair_tat: int, pair: Cell) -> Decision:
    """Held: the number's next slot and the pair's, at `now + delay`. Not held: nothing changes,
    ask again after `delay`, when the pair conforms."""
    ntat, ptat = max(number_tat, now), max(pair_tat, now)
    # The number's next free slot, in the order reservations arrive.
    send = max(now, ntat - number.tolerance)
    # The pair is judged at the send time, so a turn's burst survives a queue on the number.
    pair_at = ptat - pair.tolerance
    if pair_at > send:
        return Decision(False, pair_at - now, number_tat, pair_tat)
    return Decision(True, send - now, ntat + number.interval, max(ptat, send) + pair.interval)


def penalise(now: int, tat: int, cell: Cell, seconds: int) -> int:
    """Nothing conforms before `now + seconds`; after that the sustained pace, without a burst."""
    return max(tat, now + seconds + cell.tolerance)


@dataclass(frozen=True, slots=True)
class WindowCount:
    window: int  # index of the fixed window `now` falls in
    count: int  # hits in that window, this one included
    ends_in: int  # microseconds until the window closes


def count_hit(now: int, window: int, last_window: int | None, last_count: int) -> WindowCount:
    index = now // window
    count = last_count + 1 if last_window == index else 1
    return WindowCount(index, count, (index + 1) * window - now)
