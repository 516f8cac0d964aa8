"""Operator work on shops: find a shop by code, its WhatsApp channels and its staff.

Everything tenant-scoped runs in `tenant_transaction`, so row-level security applies even to
the operator. Only the global directories (`phone_numbers`, written by the tables' owner) need
the owner's engine: adding or removing a WhatsApp number takes it, everything else the app's.
Each change writes an audit entry with the operator as actor; staff numbers are masked there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import audit
from commerce.db import global_transaction, tenant_transaction
from commerce.errors import Conflict, InvalidInput, NotFound, UnknownTenant
from commerce.schema import phone_numbers, staff, whatsapp_channels
from commerce.schema_payments import tenant_codes
from commerce.shop_codes import CODE
from commerce.tenants import normalise_phone
from commerce.text import NUL

Role = Literal["owner", "staff"]


@dataclass(frozen=True, slots=True)
class Channel:
    phone_number_id: str
    display_phone_number: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StaffMember:
    phone: str
    name: str
    role: str
    created_at: datetime


async def tenant_for_code(engine: AsyncEngine, code: str) -> UUID:
    """Which shop a code belongs to (a global lookup, before any tenant context)."""
    wanted = code.strip().upper()
    if not CODE.match(wanted):  # no shop has it; and a NUL must not reach PostgreSQL
        raise UnknownTenant(wanted)
    async with global_transaction(engine) as conn:
        found = await conn.scalar(
            select(tenant_codes.c.tenant_id).where(tenant_codes.c.code == wanted)
        )
    if found is None:
        raise UnknownTenant(wanted)
    return UUID(str(found))


async def tenants_for_reference(engine: AsyncEngine, reference: str) -> list[UUID]:
    """The shops whose code could have made a payment reference: `payment_reference` keeps
    the code's letters and digits before the first '-' (rarely more than one shop matches)."""
    prefix = reference.split("-", 1)[0].upper()
    async with global_transaction(engine) as conn:
        found = await conn.scalars(
            select(tenant_codes.c.tenant_id)
            .where(func.replace(tenant_codes.c.code, "-", "") == prefix)
            .order_by(tenant_codes.c.code)
        )
        return [UUID(str(tenant_id)) for tenant_id in found]


async def tenant_directory(engine: AsyncEngine) -> dict[str, UUID]:
    """Every shop's tenant id by code, in code order."""
    async with global_transaction(engine) as conn:
        rows = await conn.execute(
            select(tenant_codes.c.code, tenant_codes.c.tenant_id).order_by(tenant_codes.c.code)
        )
        return {str(row.code): UUID(str(row.tenant_id)) for row in rows}


# ---- WhatsApp channels ------------------------------------------------------------------


async def list_channels(engine: AsyncEngine, tenant_id: UUID) -> list[Channel]:
    """The shop's numbers; access tokens never leave the database through here."""
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(
            select(
                whatsapp_channels.c.phone_number_id,
                phone_numbers.c.display_phone_number,
                whatsapp_channels.c.created_at,
            )
            .join(
                phone_numbers,
                phone_numbers.c.phone_number_id == whatsapp_channels.c.phone_number_id,
            )
            .where(whatsapp_channels.c.tenant_id == tenant_id)
            .order_by(whatsapp_channels.c.created_at, whatsapp_channels.c.phone_number_id)
        )
        return [Channel(r.phone_number_id, r.display_phone_number, r.created_at) for r in rows]


def _check_channel(phone_number_id: str, access_token: str) -> str:
    number = phone_number_id.strip()
    if not number.isdigit():
        raise InvalidInput(
            f"phone_number_id {phone_number_id!r} must be the numeric id Meta shows under "
            "WhatsApp > API Setup"
        )
    if not access_token.strip():
        raise InvalidInput("access token must not be empty")
    if NUL in access_token:  # PostgreSQL cannot store it
        raise InvalidInput("access token must not have a NUL character (U+0000)")
    return number


async def add_channel(
    owner_engine: AsyncEngine,
    tenant_id: UUID,
    phone_number_id: str,
    access_token: str,
    *,
    display_phone_number: str = "",
    actor: str,
) -> Channel:
    """Give the shop another WhatsApp number. `owner_engine`: only the owner writes the global
    number directory; the tenant context still guards the shop's own rows."""
    number = _check_channel(phone_number_id, access_token)
    if NUL in display_phone_number:
        raise InvalidInput("the display number must not have a NUL character (U+0000)")
    try:
        async with tenant_transaction(owner_engine, tenant_id) as conn:
            await conn.execute(
                phone_numbers.insert().values(
                    phone_number_id=number,
                    display_phone_number=display_phone_number.strip(),
                    tenant_id=tenant_id,
                )
            )
            created = await conn.scalar(
                whatsapp_channels.insert()
                .values(tenant_id=tenant_id, phone_number_id=number, access_token=access_token)
                .returning(whatsapp_channels.c.created_at)
            )
            await audit.record(conn, tenant_id, actor, "channel.added", f"channel:{number}")
    except IntegrityError as exc:
        raise Conflict(f"phone_number_id {number!r} already belongs to a shop") from exc
    return Channel(number, display_phone_number.strip(), created)


async def remove_channel(
    owner_engine: AsyncEngine, tenant_id: UUID, phone_number_id: str, *, actor: str
) -> None:
    """Take a number away from the shop; NotFound when the shop has no such number."""
    if NUL in phone_number_id:  # no number has one, and PostgreSQL refuses it
        raise NotFound(f"this shop has no WhatsApp number {phone_number_id!r}")
    async with tenant_transaction(owner_engine, tenant_id) as conn:
        removed = await conn.scalar(
            delete(whatsapp_channels)
            .where(
                whatsapp_channels.c.tenant_id == tenant_id,
                whatsapp_channels.c.phone_number_id == phone_number_id,
            )
            .returning(whatsapp_channels.c.phone_number_id)
        )
        if removed is None:
            raise NotFound(f"this shop has no WhatsApp number {phone_number_id!r}")
        await conn.execute(
            delete(phone_numbers).where(
                phone_numbers.c.phone_number_id == phone_number_id,
                phone_numbers.c.tenant_id == tenant_id,
            )
        )
        await audit.record(conn, tenant_id, actor, "channel.removed", f"channel:{removed}")


# ---- staff --------------------------------------------------------------------------------


async def list_staff(engine: AsyncEngine, tenant_id: UUID) -> list[StaffMember]:
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(
            select(staff).where(staff.c.tenant_id == tenant_id).order_by(staff.c.phone)
        )
        return [StaffMember(r.phone, r.name, r.role, r.created_at) for r in rows]


async def add_staff(
    engine: AsyncEngine,
    tenant_id: UUID,
    phone: str,
    *,
    name: str = "",
    role: Role = "staff",
    actor: str,
) -> StaffMember:
    digits = normalise_phone(phone)
    if role not in ("owner", "staff"):
        raise InvalidInput(f"staff role {role!r} must be owner or staff")
    if len(name.strip()) > 100:
        raise InvalidInput("a staff name must be at most 100 characters")
    if NUL in name:  # PostgreSQL cannot store it
        raise InvalidInput("a staff name must not have a NUL character (U+0000)")
    try:
        async with tenant_transaction(engine, tenant_id) as conn:
            created = await conn.scalar(
                staff.insert()
                .values(tenant_id=tenant_id, phone=digits, name=name.strip(), role=role)
                .returning(staff.c.created_at)
            )
            await audit.record(
                conn, tenant_id, actor, "staff.added", audit.staff_actor(digits), {"role": role}
            )
    except IntegrityError as exc:
        raise Conflict(f"staff number ending {digits[-4:]} is already registered") from exc
    return StaffMember(digits, name.strip(), role, created)


async def remove_staff(engine: AsyncEngine, tenant_id: UUID, phone: str, *, actor: str) -> None:
    digits = normalise_phone(phone)
    async with tenant_transaction(engine, tenant_id) as conn:
        removed = await conn.scalar(
            delete(staff)
            .where(staff.c.tenant_id == tenant_id, staff.c.phone == digits)
            .returning(staff.c.phone)
        )
        if removed is None:
            raise NotFound(f"this shop has no staff number ending {digits[-4:]}")
        await audit.record(conn, tenant_id, actor, "staff.removed", audit.staff_actor(digits))
