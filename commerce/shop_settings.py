"""Per-shop settings: delivery (fee, whether it delivers), how long checkout holds stock, what
shoppers ask about (opening hours per language, address), the shop's time zone, and whether the
shop is open right now (`tenants.is_open`, switched by the merchant by chat)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, TenantContextError
from commerce.schema import tenants
from commerce.schema_customers import shop_settings

DEFAULT_TIMEZONE = "Africa/Johannesburg"
MAX_TEXT = 300


@dataclass(frozen=True, slots=True)
class ShopSettings:
    delivery_fee_cents: int = 0
    reservation_minutes: int = 30
    hours: dict[str, str] = field(default_factory=dict)  # per language, e.g. {"en": "Mon-Sat"}
    address: str = ""
    delivers: bool = True
    timezone: str = DEFAULT_TIMEZONE

    def hours_in(self, language: str) -> str:
        """Opening hours in the shopper's language, falling back to English ("" when unset)."""
        return self.hours.get(language) or self.hours.get("en", "")


async def load(conn: AsyncConnection, tenant_id: UUID) -> ShopSettings:
    row = (
        await conn.execute(select(shop_settings).where(shop_settings.c.tenant_id == tenant_id))
    ).one_or_none()
    if row is None:
        return ShopSettings()
    return ShopSettings(
        row.delivery_fee_cents,
        row.reservation_minutes,
        dict(row.hours or {}),
        row.address,
        row.delivers,
        row.timezone,
    )


async def get_settings(engine: AsyncEngine, tenant_id: UUID) -> ShopSettings:
    async with tenant_transaction(engine, tenant_id) as conn:
        return await load(conn, tenant_id)


def _validated(settings: ShopSettings) -> dict[str, Any]:
    if settings.delivery_fee_cents < 0:
        raise InvalidInput("the delivery fee must not be negative")
    if not 1 <= settings.reservation_minutes <= 1440:
        raise InvalidInput("stock can be held for 1 to 1440 minutes (one day)")
    hours = {lang: text.strip() for lang, text in settings.hours.items() if text.strip()}
    if hours and "en" not in hours:
        raise InvalidInput("opening hours need an English text ('en'), the fallback for others")
    if any(len(text) > MAX_TEXT for text in hours.values()) or len(settings.address) > MAX_TEXT:
        raise InvalidInput(f"opening hours and address must be at most {MAX_TEXT} characters")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"time zone {settings.timezone!r} must be an IANA name, e.g. {DEFAULT_TIMEZONE}"
        ) from exc
    return {
        "delivery_fee_cents": settings.delivery_fee_cents,
        "reservation_minutes": settings.reservation_minutes,
        "hours": hours,
        "address": settings.address.strip(),
        "delivers": settings.delivers,
        "timezone": settings.timezone,
    }


async def save_settings(
    engine: AsyncEngine, tenant_id: UUID, settings: ShopSettings, *, actor: str
) -> None:
    values = _validated(settings)
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            insert(shop_settings)
            .values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(
                index_elements=[shop_settings.c.tenant_id],
                set_={**values, "updated_at": func.now()},
            )
        )
        # The audit entry names what changed, not the texts (they may hold an address).
        await audit.record(conn, tenant_id, actor, "settings.changed", "shop", _audited(values))


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in values.items() if k not in {"hours", "address"}},
        "hours": sorted(values["hours"]),
        "address": bool(values["address"]),
    }


async def is_open(engine: AsyncEngine, tenant_id: UUID) -> bool:
    """Whether the shop takes orders right now (the merchant opens and closes it by chat)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        found = await conn.scalar(select(tenants.c.is_open).where(tenants.c.id == tenant_id))
    if found is None:
        raise TenantContextError(f"shop {tenant_id} does not exist")
    return bool(found)


async def set_open(engine: AsyncEngine, tenant_id: UUID, open_now: bool, *, actor: str) -> bool:
    """Open or close the shop; returns whether this changed anything (repeats are no-ops, but
    every request is audited, so the log shows who asked when)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        before = await conn.scalar(
            select(tenants.c.is_open).where(tenants.c.id == tenant_id).with_for_update()
        )
        if before is None:
            raise TenantContextError(f"shop {tenant_id} does not exist")
        if bool(before) != open_now:
            await conn.execute(
                update(tenants).where(tenants.c.id == tenant_id).values(is_open=open_now)
            )
        action = "shop.opened" if open_now else "shop.closed"
        await audit.record(
            conn, tenant_id, actor, action, "shop", {"changed": bool(before) != open_now}
        )
    return bool(before) != open_now
