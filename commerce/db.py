"""Database access with the tenant set per transaction, never per pooled session.

`tenant_transaction` opens a transaction and runs `set_config('app.tenant_id', …, true)`:
the setting dies with the transaction, so a pooled connection can never leak one shop's
context into the next request. Row-level security does the filtering; code never has to
remember a `WHERE tenant_id = …`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from commerce.errors import TenantContextError


def async_url(url: str) -> str:
    """Accept a plain `postgresql://` URL (as operators write them) and use asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


# Errors that mean "PostgreSQL cannot be reached right now" (restarting, failing over, a dropped
# connection), as opposed to a query the database refused: the first kind is worth retrying.
_UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,  # e.g. "terminating connection: shutdown"
    asyncpg.exceptions.InterfaceError,
    sa_exc.InterfaceError,
)


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` (or what it wraps) says the database is unreachable for now."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, _UNREACHABLE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    return create_async_engine(async_url(url), pool_size=pool_size, pool_pre_ping=True)


@asynccontextmanager
async def tenant_transaction(
    engine: AsyncEngine, tenant_id: UUID
) -> AsyncIterator[AsyncConnection]:
    """A transaction in which row-level security sees exactly one tenant."""
    if not isinstance(tenant_id, UUID):
        raise TenantContextError(f"tenant id must be a UUID, got {type(tenant_id).__name__}")
    async with engine.begin() as conn:
        await conn.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
        )
        yield conn


@asynccontextmanager
async def global_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction with no tenant: tenant tables show nothing, only global tables are usable."""
    async with engine.begin() as conn:
        yield conn
