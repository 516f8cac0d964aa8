"""Which shop a business number belongs to, and its staff, cached briefly.

The shop record is re-read every few seconds so that a merchant closing the shop by chat is
seen by every worker at once; tokens change only when an operator rotates them.

A marketplace number belongs to no shop: the shopper picks one (bot/marketplace.py), which is
found here by its code, and replies go out with the operator's token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import marketplace, tenants
from commerce.errors import UnknownChannel, UnknownTenant
from commerce.marketplace import MarketplaceNumber
from commerce.shop_codes import normalise_code

CACHE_SECONDS = 60.0
SHOP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Shop:
    tenant_id: UUID
    name: str
    default_language: str
    code: str = ""
    is_open: bool = True
    staff: frozenset[str] = frozenset()


class Directory:
    def __init__(
        self, engine: AsyncEngine, ttl: float = CACHE_SECONDS, shop_ttl: float = SHOP_SECONDS
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.shop_ttl = shop_ttl
        self._shops: dict[str, tuple[float, Shop]] = {}
        self._tokens: dict[str, tuple[float, str]] = {}
        self._markets: dict[str, tuple[float, MarketplaceNumber | None]] = {}
        self._by_code: dict[str, tuple[float, Shop]] = {}

    async def shop_for(self, phone_number_id: str) -> Shop:
        """The shop; raises `UnknownChannel` when no shop owns the number."""
        cached = self._shops.get(phone_number_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        tenant_id = await tenants.tenant_for_number(self.engine, phone_number_id)
        shop = await self._load(tenant_id)
        self._shops[phone_number_id] = (time.monotonic() + self.shop_ttl, shop)
        return shop

    async def marketplace_for(self, phone_number_id: str) -> MarketplaceNumber | None:
        """The marketplace number, or None for a shop's own number (or an unknown one)."""
        cached = self._markets.get(phone_number_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        found = await marketplace.find_number(self.engine, phone_number_id)
        self._markets[phone_number_id] = (time.monotonic() + self.ttl, found)
        return found

    async def shop_by_code(self, code: str) -> Shop:
        """A shop in the marketplace directory, by its code (listed or not); raises
        `UnknownTenant` when the directory has no such code."""
        normal = normalise_code(code)
        if normal is None:
            raise UnknownTenant(code)
        cached = self._by_code.get(normal)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        listed = await marketplace.find_code(self.engine, [normal])
        if listed is None:
            raise UnknownTenant(code)
        shop = await self._load(listed.tenant_id)
        self._by_code[normal] = (time.monotonic() + self.shop_ttl, shop)
        return shop

    async def sending_shop(self, phone_number_id: str, tenant_id: str | None) -> Shop | None:
        """The shop a reply speaks for: the number's own shop, or on a marketplace number the
        directory shop the reply names (None before the shopper has picked one)."""
        if await self.marketplace_for(phone_number_id) is None:
            return await self.shop_for(phone_number_id)
        if not tenant_id:
            return None
        listed = await marketplace.find_tenant(self.engine, UUID(tenant_id))
        return None if listed is None else await self.shop_by_code(listed.code)

    async def _load(self, tenant_id: UUID) -> Shop:
        tenant = await tenants.get_tenant(self.engine, tenant_id)
        staff = await tenants.staff_phones(self.engine, tenant_id)
        return Shop(
            tenant.id, tenant.name, tenant.default_language, tenant.code, tenant.is_open, staff
        )

    def forget(self, phone_number_id: str) -> None:
        """Drop what is cached for a number (its token was refused, or an operator changed it)."""
        self._shops.pop(phone_number_id, None)
        self._tokens.pop(phone_number_id, None)
        self._markets.pop(phone_number_id, None)

    async def token_for(self, phone_number_id: str) -> str:
        cached = self._tokens.get(phone_number_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        if await self.marketplace_for(phone_number_id) is not None:
            token = await marketplace.access_token(self.engine, phone_number_id)
        else:
            shop = await self.shop_for(phone_number_id)
            token = await tenants.access_token(self.engine, shop.tenant_id, phone_number_id)
        self._tokens[phone_number_id] = (time.monotonic() + self.ttl, token)
        return token


__all__ = ["Directory", "Shop", "UnknownChannel"]
