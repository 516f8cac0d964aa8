"""Errors of the action server.

ActionError
├── UnknownAction       the request names an action this server does not have
├── BadTracker          the tracker lacks what the action needs (tenant, sender)
└── ActionFailed        the action raised; the shopper gets a friendly reply instead
"""

from __future__ import annotations


class ActionError(Exception):
    """Base of every error raised by `actions`."""


class UnknownAction(ActionError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no action named {name!r} on this server")
        self.name = name


class BadTracker(ActionError):
    pass


class ActionFailed(ActionError):
    pass
