"""Dependencies of the admin routes: the operator behind the bearer token, the engines, and
the shop a path names (looked up in the global code directory, never by bypassing RLS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.errors import TokenMissing
from bot.admin.tokens import OperatorToken, verify_token
from commerce.shop_admin import tenant_for_code

__all__ = ["AdminContext", "Context", "Operator", "ShopId"]


@dataclass(frozen=True)
class AdminContext:
    engine: AsyncEngine  # the app role: row-level security applies to every tenant query
    owner_engine: AsyncEngine  # only for the global directories (new shops, WhatsApp numbers)
    secret: str


def _context(request: Request) -> AdminContext:
    context: AdminContext = request.app.state.admin
    return context


Context = Annotated[AdminContext, Depends(_context)]

_bearer = HTTPBearer(auto_error=False, description="A token from `wakala admin token`")


def _operator(
    context: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorToken:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TokenMissing("send the admin token as `Authorization: Bearer <token>`")
    return verify_token(context.secret, credentials.credentials)


Operator = Annotated[OperatorToken, Depends(_operator)]


async def _shop_id(code: str, context: Context, _operator: Operator) -> UUID:
    return await tenant_for_code(context.engine, code)


ShopId = Annotated[UUID, Depends(_shop_id)]
