"""Marketplace numbers (one WhatsApp number shared by many shops) and the shop directory.

Both are global reference tables with no personal data, so they are read without a tenant
context, before the shopper has picked a shop. Writes need the owner's engine (the app role
may only read); reads work with either.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import global_transaction, tenant_transaction
from commerce.errors import Conflict, InvalidInput, UnknownChannel, UnknownTenant
from commerce.schema import tenants
from commerce.schema_marketplace import marketplace_numbers, marketplace_shops
from commerce.schema_payments import tenant_codes
from commerce.shop_codes import compact, normalise_code
from commerce.text import NUL, without_nul

LANGUAGES = ("en", "zu", "st")
EARTH_RADIUS_KM = 6371.0088  # the mean radius, as the Haversine formula wants it
KM_PER_DEGREE = 110.0  # a little under the true 110.6-111.7 km, so the prefilter box is wide
RESULTS = 5
RADIUS_KM = 10.0


@dataclass(frozen=True, slots=True)
class MarketplaceNumber:
    phone_number_id: str
    display_phone_number: str
    default_language: str


@dataclass(frozen=True, slots=True)
class ListedShop:
    code: str
    tenant_id: UUID
    name: str
    area: str
    latitude: float | None
    longitude: float | None
    listed: bool
    distance_km: float | None = None  # set by `nearest`


@dataclass(frozen=True, slots=True)
class ShopListing:
    """What an operator puts in the directory; `name` defaults to the shop's own name."""

    code: str
    name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    area: str = ""
    listed: bool = True

    def validated(self) -> ShopListing:
        code = normalise_code(self.code)
        if code is None:
            raise InvalidInput(f"shop code {self.code!r} must look like SHOP-1234")
        if (self.latitude is None) != (self.longitude is None):
            raise InvalidInput("give both latitude and longitude, or neither")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InvalidInput(f"latitude {self.latitude} must be between -90 and 90")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InvalidInput(f"longitude {self.longitude} must be between -180 and 180")
        name = self.name.strip() if self.name is not None else None
        if name is not None and not 1 <= len(name) <= 100:
            raise InvalidInput("the directory name must be 1-100 characters")
        if len(self.area.strip()) > 60:
            raise InvalidInput("the area must be at most 60 characters, e.g. 'Soweto, Zone 6'")
        return ShopListing(
            code, name, self.latitude, self.longitude, self.area.strip(), self.listed
        )


async def add_number(
    engine: AsyncEngine,
    phone_number_id: str,
    access_token: str,
    *,
    display_phone_number: str = "",
    default_language: str = "en",
) -> MarketplaceNumber:
    """Add a marketplace number, or update its token, display number and language (a token
    rotation). A number a shop already owns is refused."""
    number = phone_number_id.strip()
    if not (number.isdigit() and len(number) <= 32):
        raise InvalidInput(
            f"phone_number_id {phone_number_id!r} must be the numeric id Meta shows under "
            "WhatsApp > API Setup"
        )
    if not access_token.strip():
        raise InvalidInput("access token must not be empty")
    if default_language not in LANGUAGES:
        raise InvalidInput(f"default language must be one of {', '.join(LANGUAGES)}")
    if len(display_phone_number.strip()) > 32:
        raise InvalidInput("the display number must be at most 32 characters, e.g. 27821234567")
    values = {
        "display_phone_number": display_phone_number.strip(),
        "access_token": access_token.strip(),
        "default_language": default_language,
    }
    try:
        async with global_transaction(engine) as conn:
            await conn.execute(
                insert(marketplace_numbers)
                .values(phone_number_id=number, **values)
                .on_conflict_do_update(
                    index_elements=[marketplace_numbers.c.phone_number_id], set_=values
                )
            )
    except IntegrityError as exc:  # the trigger: a shop owns the number
        raise Conflict(f"phone_number_id {number!r} already belongs to a shop") from exc
    return MarketplaceNumber(number, values["display_phone_number"], default_language)


async def find_number(engine: AsyncEngine, phone_number_id: str) -> MarketplaceNumber | None:
    """The marketplace number, or None when it is a shop's number or unknown."""
    async with global_transaction(engine) as conn:
        row = (
            await conn.execute(
                _numbers().where(marketplace_numbers.c.phone_number_id == phone_number_id)
            )
        ).one_or_none()
    return None if row is None else MarketplaceNumber(*row)


async def list_numbers(engine: AsyncEngine) -> list[MarketplaceNumber]:
    async with global_transaction(engine) as conn:
        rows = await conn.execute(_numbers().order_by(marketplace_numbers.c.created_at))
        return [MarketplaceNumber(*row) for row in rows]


async def access_token(engine: AsyncEngine, phone_number_id: str) -> str:
    """The operator's Graph API token for a marketplace number."""
    async with global_transaction(engine) as conn:
        token = await conn.scalar(
            select(marketplace_numbers.c.access_token).where(
                marketplace_numbers.c.phone_number_id == phone_number_id
            )
        )
    if token is None:
        raise UnknownChannel(phone_number_id)
    return str(token)


async def list_shop(engine: AsyncEngine, listing: ShopListing) -> ListedShop:
    """Put a shop in the directory, or change its entry (owner's engine)."""
    listing = listing.validated()
    async with global_transaction(engine) as conn:
        tenant_id = await conn.scalar(
            select(tenant_codes.c.tenant_id).where(tenant_codes.c.code == listing.code)
        )
    if tenant_id is None:
        raise UnknownTenant(listing.code)
    name = listing.name
    if name is None:
        # The WHERE matters: an owner that is a superuser is not subject to row-level security.
        async with tenant_transaction(engine, tenant_id) as conn:
            name = str(await conn.scalar(select(tenants.c.name).where(tenants.c.id == tenant_id)))
    values: dict[str, Any] = {
        "name": name,
        "area": listing.area,
        "latitude": listing.latitude,
        "longitude": listing.longitude,
        "listed": listing.listed,
    }
    try:
        async with global_transaction(engine) as conn:
            await conn.execute(
                insert(marketplace_shops)
                .values(code=listing.code, tenant_id=tenant_id, **values)
                .on_conflict_do_update(
                    index_elements=[marketplace_shops.c.code],
                    set_={**values, "updated_at": func.now()},
                )
            )
    except IntegrityError as exc:
        raise Conflict(f"shop {listing.code!r} cannot be listed: {exc.orig}") from exc
    return ListedShop(
        listing.code,
        tenant_id,
        name,
        listing.area,
        listing.latitude,
        listing.longitude,
        listing.listed,
    )


async def remove_shop(engine: AsyncEngine, code: str) -> bool:
    """Take a shop out of the directory entirely (not even its code finds it)."""
    normal = normalise_code(code)
    if normal is None:
        return False
    async with global_transaction(engine) as conn:
        result = await conn.execute(
            marketplace_shops.delete().where(marketplace_shops.c.code == normal)
        )
    return bool(result.rowcount)


async def find_code(engine: AsyncEngine, candidates: Sequence[str]) -> ListedShop | None:
    """The first candidate that is a directory shop's code, exactly or without its hyphens.
    Listed or not: a code is how a shop's own poster finds it."""
    # A NUL cannot be in a code, and PostgreSQL refuses it even as a parameter.
    wanted = [c for c in dict.fromkeys(candidates) if NUL not in c]
    if not wanted:
        return None
    compacts = [compact(c) for c in wanted]
    query = _shops().where(
        or_(
            marketplace_shops.c.code.in_(wanted),
            func.replace(marketplace_shops.c.code, "-", "").in_(compacts),
        )
    )
    async with global_transaction(engine) as conn:
        found = [_listed(row) for row in await conn.execute(query)]
    for candidate in wanted:  # the caller's order decides; an exact match beats a compact one
        for shop in sorted(found, key=lambda s: s.code != candidate):
            if shop.code == candidate or compact(shop.code) == compact(candidate):
                return shop
    return None


async def find_tenant(engine: AsyncEngine, tenant_id: UUID) -> ListedShop | None:
    async with global_transaction(engine) as conn:
        row = (
            await conn.execute(_shops().where(marketplace_shops.c.tenant_id == tenant_id))
        ).one_or_none()
    return None if row is None else _listed(row)


async def search_by_name(engine: AsyncEngine, text: str, limit: int = RESULTS) -> list[ListedShop]:
    """Listed shops whose name contains the text, ignoring case and punctuation
    (`mamas` finds "Mama's Spaza"); exact names first, then names that start with it."""
    query = without_nul(text).strip()  # PostgreSQL refuses NUL even in a pattern
    squeezed = squeeze(query)
    if not squeezed:
        return []
    name = marketplace_shops.c.name
    pattern = _escape_like(query)
    squeezed_name = func.regexp_replace(func.lower(name), r"[^[:alnum:]]+", "", "g")
    statement = (
        _shops()
        .where(
            marketplace_shops.c.listed,
            or_(name.ilike(f"%{pattern}%", escape="\\"), squeezed_name.contains(squeezed)),
        )
        .order_by(
            case((func.lower(name) == query.lower(), 0), else_=1),
            case((name.ilike(f"{pattern}%", escape="\\"), 0), else_=1),
            name,
        )
        .limit(limit)
    )
    async with global_transaction(engine) as conn:
        return [_listed(row) for row in await conn.execute(statement)]


async def nearest(
    engine: AsyncEngine,
    latitude: float,
    longitude: float,
    *,
    radius_km: float = RADIUS_KM,
    limit: int = RESULTS,
) -> list[ListedShop]:
    """Listed shops within `radius_km` of a point, nearest first (Haversine distance)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(f"({latitude}, {longitude}) is not a point on Earth")
    distance = _haversine_km(latitude, longitude).label("distance_km")
    statement = (
        _shops()
        .add_columns(distance)
        .where(
            marketplace_shops.c.listed, distance <= radius_km, *_box(latitude, longitude, radius_km)
        )
        .order_by(distance, marketplace_shops.c.name)
        .limit(limit)
    )
    async with global_transaction(engine) as conn:
        return [_listed(row, row.distance_km) for row in await conn.execute(statement)]


def _haversine_km(latitude: float, longitude: float) -> ColumnElement[float]:
    lat, lon = marketplace_shops.c.latitude, marketplace_shops.c.longitude
    half_chord = func.power(func.sin(func.radians(lat - latitude) / 2), 2) + func.cos(
        math.radians(latitude)
    ) * func.cos(func.radians(lat)) * func.power(func.sin(func.radians(lon - longitude) / 2), 2)
    # least(): rounding can push the chord a hair above 1, outside asin's domain.
    return 2 * EARTH_RADIUS_KM * func.asin(func.least(1.0, func.sqrt(half_chord)))


def _box(latitude: float, longitude: float, radius_km: float) -> list[ColumnElement[bool]]:
    """A generous latitude/longitude box around the circle, so the index does the first cut.
    The longitude bound is dropped near the poles and across the antimeridian."""
    spread = radius_km / KM_PER_DEGREE
    lat = marketplace_shops.c.latitude
    bounds: list[ColumnElement[bool]] = [lat.between(latitude - spread, latitude + spread)]
    cos_lat = math.cos(math.radians(min(abs(latitude) + spread, 90.0)))
    if cos_lat > 0.01:
        lon_spread = spread / cos_lat
        if longitude - lon_spread >= -180 and longitude + lon_spread <= 180:
            bounds.append(
                marketplace_shops.c.longitude.between(
                    longitude - lon_spread, longitude + lon_spread
                )
            )
    return bounds


def _numbers() -> Select[Any]:
    c = marketplace_numbers.c
    return select(c.phone_number_id, c.display_phone_number, c.default_language)


def _shops() -> Select[Any]:
    c = marketplace_shops.c
    return select(c.code, c.tenant_id, c.name, c.area, c.latitude, c.longitude, c.listed)


def _listed(row: Any, distance_km: float | None = None) -> ListedShop:
    return ListedShop(
        code=row.code,
        tenant_id=UUID(str(row.tenant_id)),
        name=row.name,
        area=row.area,
        latitude=row.latitude,
        longitude=row.longitude,
        listed=row.listed,
        distance_km=None if distance_km is None else float(distance_km),
    )


def squeeze(text: str) -> str:
    """Lower case without spaces or punctuation: how names are compared."""
    return re.sub(r"[\W_]+", "", text.lower())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
