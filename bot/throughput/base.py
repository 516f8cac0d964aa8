"""The limiter and throttle interfaces, their settings and verdicts.

Outbound semantics, shared by both implementations (see `gcra.py` for the arithmetic):

* `reserve()` asks for a send slot for one message. If the shopper may receive it (the pair
  budget allows it at the send time), the number's next slot is *held* for this message:
  `Reservation(delay, held=True)`, send after `delay` seconds and do not reserve again.
* If the shopper is being paced (or was penalised), nothing is consumed:
  `Reservation(delay, held=False)`, reserve again after `delay`. Holding a number slot for a
  message that waits 6 s on its shopper would either block every other shopper of that number
  or let paced messages pile up into one over-rate burst when they wake; not holding avoids both.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.errors import WakalaError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_NUMBER_RATE = 80.0  # messages/s: Meta's default throughput per business number
MAX_NUMBER_RATE = 1000.0  # messages/s: Meta's ceiling after the automatic upgrade
DEFAULT_NUMBER_BURST = 10  # sends at once from an idle number (1/8 s worth at 80/s)
DEFAULT_PAIR_INTERVAL = 6.0  # seconds between sustained sends to one shopper (error 131056)
DEFAULT_PAIR_BURST = 3  # a turn's 2-3 replies go out together, then pacing starts
DEFAULT_FLOOD_LIMIT = 100  # inbound messages per window from one shopper before it is a flood
DEFAULT_FLOOD_WINDOW = 60.0  # seconds

MICROS = 1_000_000


class LimitConfigError(WakalaError, ValueError):
    """A rate, burst or window that cannot work (zero, negative, above Meta's ceiling)."""

    code = "WAK010"


def _positive(name: str, value: float, fix: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise LimitConfigError(f"{name}={value!r} must be a positive number; {fix}")


def _at_least_one(name: str, value: int, meaning: str) -> None:
    if value < 1:
        raise LimitConfigError(f"{name}={value!r} must be 1 or more ({meaning})")


def check_number_rate(value: float) -> float:
    fix = f"Meta allows up to {MAX_NUMBER_RATE:g} messages/s per number"
    _positive("rate", value, fix)
    if value > MAX_NUMBER_RATE:
        raise LimitConfigError(f"rate={value!r} is above the ceiling; {fix}")
    return value


@dataclass(frozen=True, slots=True)
class Cell:
    """GCRA parameters in whole microseconds: the gap between sustained sends and the slack
    that lets `burst` sends through at once, (burst - 1) * interval."""

    interval: int
    tolerance: int

    @classmethod
    def of(cls, interval_seconds: float, burst: int) -> Cell:
        interval = max(1, round(interval_seconds * MICROS))
        return cls(interval, (burst - 1) * interval)


@dataclass(frozen=True)
class OutboundLimits:
    """Outbound limits. `rates` overrides `rate` for given phone_number_ids (upgraded numbers
    at 1,000/s, coexistence numbers at 20/s); a `rate=` on the call overrides both."""

    rate: float = DEFAULT_NUMBER_RATE
    burst: int = DEFAULT_NUMBER_BURST
    rates: Mapping[str, float] = field(default_factory=dict)
    pair_interval: float = DEFAULT_PAIR_INTERVAL
    pair_burst: int = DEFAULT_PAIR_BURST

    def __post_init__(self) -> None:
        check_number_rate(self.rate)
        for number, rate in self.rates.items():
            try:
                check_number_rate(rate)
            except LimitConfigError as exc:
                raise LimitConfigError(f"rates[{number!r}]: {exc.args[0]}") from None
        _at_least_one("burst", self.burst, "1 means no burst")
        _positive("pair_interval", self.pair_interval, "about 6 s keeps clear of error 131056")
        _at_least_one("pair_burst", self.pair_burst, "1 means no burst")

    def number_cell(self, phone_number_id: str, rate: float | None = None) -> Cell:
        per_second = (
            check_number_rate(rate)
            if rate is not None
            else self.rates.get(phone_number_id, self.rate)
        )
        return Cell.of(1 / per_second, self.burst)

    def pair_cell(self) -> Cell:
        return Cell.of(self.pair_interval, self.pair_burst)


def check_penalty(seconds: float) -> int:
    if not (math.isfinite(seconds) and seconds >= 0):
        raise LimitConfigError(f"seconds={seconds!r} must be zero or more")
    return round(seconds * MICROS)


def check_flood(limit: int, window: float) -> None:
    _at_least_one("limit", limit, "messages per window from one shopper")
    _positive("window", window, "the flood window is in seconds, 60 by default")


@dataclass(frozen=True, slots=True)
class Reservation:
    """`held`: a send slot `delay` seconds from now is this message's; send then, once.
    Not `held`: the shopper is paced or penalised, nothing was consumed; reserve again after
    `delay`. `delay` is 0.0 when the message may go now."""

    delay: float
    held: bool


@dataclass(frozen=True, slots=True)
class FloodVerdict:
    """`allowed`: within the limit. `first_flood`: true for the first message over the limit
    in a window, exactly once, so the shopper is told once. `retry_after`: seconds until the
    window frees up (0.0 when allowed). `count`: messages seen in this window, this one included."""

    allowed: bool
    first_flood: bool
    retry_after: float
    count: int

    @property
    def flooded(self) -> bool:
        return not self.allowed

    @classmethod
    def judge(cls, limit: int, count: int, ends_in_us: int) -> FloodVerdict:
        allowed = count <= limit
        return cls(
            allowed=allowed,
            first_flood=count == limit + 1,
            retry_after=0.0 if allowed else ends_in_us / MICROS,
            count=count,
        )


class OutboundLimiter(Protocol):
    limits: OutboundLimits

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def reserve(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> Reservation:
        """One atomic decision against the number's and the pair's budget (see module doc)."""
        ...

    async def acquire(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> float:
        """Wait until this message may go and hold its slot; return the seconds waited."""
        ...

    async def penalise(
        self,
        phone_number_id: str,
        recipient: str | None,
        seconds: float,
        *,
        rate: float | None = None,
    ) -> None:
        """Nothing more goes for `seconds`, then sustained pace without a burst. `recipient`
        None pushes back the whole number (130429), a recipient only that pair (131056)."""
        ...


class FloodThrottle(Protocol):
    limit: int
    window: float

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def hit(self, phone_number_id: str, sender: str) -> FloodVerdict:
        """Count one inbound message from `sender` to `phone_number_id` and judge it."""
        ...


class Pacing(ABC):
    """`acquire()` in terms of `reserve()`, shared by both limiters."""

    _sleep: Sleep

    @abstractmethod
    async def reserve(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> Reservation: ...

    async def acquire(
        self, phone_number_id: str, recipient: str, *, rate: float | None = None
    ) -> float:
        waited = 0.0
        while True:
            reservation = await self.reserve(phone_number_id, recipient, rate=rate)
            if reservation.delay > 0:
                await self._sleep(reservation.delay)
                waited += reservation.delay
            if reservation.held:
                return waited
