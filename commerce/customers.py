"""Shoppers of a shop, keyed by the channel's id for them (WhatsApp's wa_id or user id).

A customer row is created on first contact. Erasure (commerce.privacy) anonymises it in place,
so orders keep a customer to point at; the same person writing again later starts afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, NotFound, TenantContextError
from commerce.schema_customers import customers

LANGUAGES = ("en", "zu", "st")
_PHONE = re.compile(r"^[0-9]{6,15}$")
ERASED_PREFIX = "erased:"


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    user_key: str
    language: str
    opted_out: bool
    erased: bool


def _customer(row: Row[tuple[object, ...]]) -> Customer:
    mapping = row._mapping
    return Customer(
        id=int(mapping["id"]),
        user_key=str(mapping["user_key"]),
        language=str(mapping["language"]),
        opted_out=bool(mapping["opted_out"]),
        erased=mapping["erased_at"] is not None,
    )


def check_user_key(user_key: str) -> str:
    key = user_key.strip()
    if not key or len(key) > 128 or key.startswith(ERASED_PREFIX):
        # The value is not echoed: it is usually a phone number, and errors end up in logs.
        raise InvalidInput("a shopper id must be the channel's id for them, 1-128 characters")
    return key


async def find(conn: AsyncConnection, tenant_id: UUID, user_key: str) -> Customer | None:
    row = (
        await conn.execute(
            select(customers).where(
                customers.c.tenant_id == tenant_id, customers.c.user_key == user_key
            )
        )
    ).one_or_none()
    return None if row is None else _customer(row)


async def ensure(
    conn: AsyncConnection, tenant_id: UUID, user_key: str, *, language: str | None = None
) -> Customer:
    """The shopper's row, created on first contact (inside the caller's transaction)."""
    key = check_user_key(user_key)
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(f"language {language!r} must be one of {', '.join(LANGUAGES)}")
    found = await find(conn, tenant_id, key)
    if found is not None:
        return found
    # ON CONFLICT covers two first messages of the same shopper racing each other.
    await conn.execute(
        insert(customers)
        .values(
            tenant_id=tenant_id,
            user_key=key,
            phone=key if _PHONE.match(key) else None,
            language=language or "en",
        )
        .on_conflict_do_nothing(index_elements=[customers.c.tenant_id, customers.c.user_key])
    )
    created = await find(conn, tenant_id, key)
    if created is None:  # inserted above or by a racing transaction, so only RLS can hide it
        raise TenantContextError(f"customer rows are not visible for tenant {tenant_id}")
    return created


async def customer_for(
    engine: AsyncEngine, tenant_id: UUID, user_key: str, *, language: str | None = None
) -> Customer:
    async with tenant_transaction(engine, tenant_id) as conn:
        return await ensure(conn, tenant_id, user_key, language=language)


async def set_language(engine: AsyncEngine, tenant_id: UUID, user_key: str, language: str) -> None:
    """Remember the shopper's language, so notifications outside a turn use it too."""
    if language not in LANGUAGES:
        raise InvalidInput(f"language {language!r} must be one of {', '.join(LANGUAGES)}")
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await ensure(conn, tenant_id, user_key)
        await conn.execute(
            update(customers)
            .where(customers.c.tenant_id == tenant_id, customers.c.id == customer.id)
            .values(language=language, updated_at=func.now())
        )


async def by_id(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> Customer:
    row = (
        await conn.execute(
            select(customers).where(
                customers.c.tenant_id == tenant_id, customers.c.id == customer_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist in this shop")
    return _customer(row)
