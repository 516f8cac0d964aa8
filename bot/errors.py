"""Errors of the wiring layer. Operator-facing ones carry a stable code (WAKxxx) and the fix.

WakalaError
├── SetupError            the machine lacks something (Python 3.10, the Rasa env, a model)
├── ServiceUnavailable    PostgreSQL, Redis, RabbitMQ, the NLU or the action server is down
│   └── BusUnavailable    the broker did not confirm a publish
├── TurnError             a turn could not finish; the message is retried, not lost
└── RetryLater            a handler asks for the message again after a delay
"""

from __future__ import annotations


class WakalaError(Exception):
    code = "WAK000"

    def __str__(self) -> str:
        return f"error[{self.code}]: {super().__str__()}"


class SetupError(WakalaError):
    code = "WAK001"


class ServiceUnavailable(WakalaError):
    code = "WAK002"


class BusUnavailable(ServiceUnavailable):
    code = "WAK003"


class TurnError(WakalaError):
    code = "WAK004"


class RetryLater(WakalaError):
    """A handler asks the bus to try the message again, not before `min_delay` seconds."""

    code = "WAK005"

    def __init__(self, reason: str, *, min_delay: float = 0.0) -> None:
        super().__init__(reason)
        self.min_delay = min_delay
