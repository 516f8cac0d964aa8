"""The operator admin API: a FastAPI app with its OpenAPI schema at /openapi.json.

Every route but /health needs an operator token (`wakala admin token`); every request, /docs
and /openapi.json included, is rate-limited first. Errors have one shape,
`{"error": {"code", "message"}}`, with stable codes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.deps import AdminContext
from bot.admin.errors import TokenRefused
from bot.admin.ratelimit import RateLimitMiddleware
from bot.admin.routes_data import router as data_router
from bot.admin.routes_shops import router as shops_router
from bot.admin.schemas import ErrorPublic
from bot.admin.tokens import check_secret
from bot.errors import ServiceUnavailable
from bot.throughput.base import FloodThrottle
from commerce.errors import (
    CommerceError,
    Conflict,
    InvalidInput,
    NotFound,
    Refused,
    TenantContextError,
)

__all__ = ["create_admin_app"]

log = logging.getLogger("wakala.admin")

# Commerce errors carry no codes of their own; the branch of the tree gives one.
_COMMERCE: tuple[tuple[type[CommerceError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (Refused, 409, "refused"),
    (InvalidInput, 422, "invalid_input"),
    (TenantContextError, 400, "tenant_context"),
)
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic} for code in (401, 404, 409, 422, 429)
}


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers or None)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(TokenRefused)
    async def token_refused(_request: Request, exc: TokenRefused) -> JSONResponse:
        message = str(exc).split(": ", 1)[-1]
        return _error(401, exc.code, message, **{"www-authenticate": "Bearer"})

    @app.exception_handler(CommerceError)
    async def commerce_error(_request: Request, exc: CommerceError) -> JSONResponse:
        code = getattr(type(exc), "code", None)  # payment errors carry a stable class code
        for kind, status, name in _COMMERCE:
            if isinstance(exc, kind):
                return _error(status, code if isinstance(code, str) else name, str(exc))
        log.warning("unmapped commerce error", extra={"event": "admin.error"})
        return _error(400, "commerce_error", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return _error(422, "invalid_request", problems)

    @app.exception_handler(OperationalError)
    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.error("admin request failed", extra={"event": "admin.unavailable"}, exc_info=exc)
        return _error(503, "unavailable", "a service the admin API needs is down; retry")


def create_admin_app(
    *,
    engine: AsyncEngine,
    owner_engine: AsyncEngine,
    secret: str,
    throttle: FloodThrottle,
) -> FastAPI:
    """`engine`: the app role (RLS applies); `owner_engine`: only for the global directories.
    `throttle` must be started and closed by the caller (like the runtime's others)."""
    check_secret(secret)
    app = FastAPI(
        title="Wakala admin",
        version="1",
        summary="Operate shops: tenants, WhatsApp channels, staff, catalogue, usage, money.",
        responses=_ERRORS,
    )
    app.state.admin = AdminContext(engine, owner_engine, secret)
    app.add_middleware(RateLimitMiddleware, throttle=throttle, secret=secret)
    _handlers(app)
    app.include_router(shops_router)
    app.include_router(data_router)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
