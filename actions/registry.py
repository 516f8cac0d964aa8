"""Actions by name. An action is a thin async function: read the tracker, call commerce, reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from actions.errors import BadTracker, UnknownAction
from actions.protocol import ActionCall, ActionResponse


@dataclass(frozen=True, slots=True)
class ActionContext:
    call: ActionCall
    engine: AsyncEngine

    @property
    def tenant_id(self) -> UUID:
        raw = self.call.tracker.slots.get("tenant_id")
        try:
            return UUID(str(raw))
        except ValueError as exc:
            raise BadTracker(f"slot tenant_id must be a shop's UUID, got {raw!r}") from exc

    @property
    def language(self) -> str:
        value = self.call.tracker.slots.get("language")
        return value if value in {"en", "zu", "st"} else "en"


Action = Callable[[ActionContext], Awaitable[ActionResponse]]


class Registry:
    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}

    def register(self, name: str) -> Callable[[Action], Action]:
        def decorate(func: Action) -> Action:
            if name in self._actions:
                raise ValueError(f"action {name!r} registered twice")
            self._actions[name] = func
            return func

        return decorate

    def get(self, name: str) -> Action:
        try:
            return self._actions[name]
        except KeyError:
            raise UnknownAction(name) from None

    @property
    def names(self) -> list[str]:
        return sorted(self._actions)


registry = Registry()
