"""The action server: Rasa's `POST /webhook`, authenticated with a shared token.

A failing action never fails the turn: the shopper gets `utter_action_failed` in their own
language (the worker renders it) and the error goes to the logs with the action's name. The one
exception is a database that cannot be reached (a restart, a failover): that answers 503, so
the worker puts the message back and the turn runs again once PostgreSQL is back.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncEngine

from actions import cart as _cart  # noqa: F401 - registers the cart actions
from actions import catalog as _catalog  # noqa: F401 - registers the catalogue actions
from actions import merchant as _merchant  # noqa: F401 - registers the merchant actions
from actions import merchant_orders as _merchant_orders  # noqa: F401 - merchant order actions
from actions import orders as _orders  # noqa: F401 - registers the order actions
from actions import privacy as _privacy  # noqa: F401 - registers the consent actions
from actions import shop as _shop  # noqa: F401 - registers the shop information actions
from actions.errors import UnknownAction
from actions.protocol import ActionCall, ActionResponse, utter
from actions.registry import ActionContext, Registry, registry
from commerce.db import database_unreachable

log = logging.getLogger("wakala.actions")


def create_app(
    engine: AsyncEngine,
    token: str,
    actions: Registry = registry,
    *,
    previous_token: str | None = None,
) -> FastAPI:
    """`previous_token` is still accepted while a rotation reaches every worker."""
    app = FastAPI(title="Wakala action server", version="1")
    accepted = [t.encode() for t in (token, previous_token) if t]

    def authenticate(
        authorization: Annotated[str | None, Header()] = None,
        token_param: Annotated[str | None, Query(alias="token")] = None,
    ) -> None:
        given = (token_param or (authorization or "").removeprefix("Bearer ").strip()).encode()
        # Compare with every accepted token (no early exit), in constant time each.
        matches = [hmac.compare_digest(given, good) for good in accepted]
        if not given or not any(matches):
            raise HTTPException(status_code=401, detail="missing or wrong action server token")

    @app.get("/health")
    async def health() -> dict[str, object]:
        return {"status": "ok", "actions": actions.names}

    @app.post("/webhook", dependencies=[Depends(authenticate)])
    async def webhook(call: ActionCall) -> ActionResponse:
        try:
            action = actions.get(call.next_action)
        except UnknownAction as exc:
            # Rasa answers an unknown action with 404 and this body shape.
            raise HTTPException(
                status_code=404, detail={"error": str(exc), "action_name": call.next_action}
            ) from exc
        try:
            return await action(ActionContext(call=call, engine=engine))
        except Exception as exc:  # the turn must survive any action failure
            if database_unreachable(exc):
                log.warning(
                    "database unreachable; the turn will be retried",
                    extra={"action": call.next_action, "event": "action.db_unreachable"},
                )
                raise HTTPException(status_code=503, detail="database unreachable") from exc
            log.exception(
                "action failed", extra={"action": call.next_action, "event": "action.failed"}
            )
            return ActionResponse(responses=[utter("utter_action_failed")])

    return app
