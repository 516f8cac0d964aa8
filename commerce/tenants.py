"""Shops (tenants), their WhatsApp numbers and their staff."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import global_transaction, tenant_transaction
from commerce.errors import Conflict, InvalidInput, UnknownChannel
from commerce.schema import phone_numbers, staff, tenants, whatsapp_channels
from commerce.schema_payments import tenant_codes
from commerce.text import NUL

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
_PHONE = re.compile(r"^[0-9]{6,15}$")
LANGUAGES = ("en", "zu", "st")


@dataclass(frozen=True, slots=True)
class Tenant:
    id: UUID
    code: str
    name: str
    default_language: str
    is_open: bool


@dataclass(frozen=True, slots=True)
class NewTenant:
    code: str
    name: str
    phone_number_id: str
    access_token: str
    display_phone_number: str = ""
    staff_phones: tuple[str, ...] = ()
    default_language: str = "en"

    def validated(self) -> NewTenant:
        code = self.code.strip().upper()
        if not _CODE.match(code):
            raise InvalidInput(
                f"shop code {self.code!r} must be 2-32 letters, digits or '-', e.g. SHOP-1234"
            )
        if not self.name.strip():
            raise InvalidInput("shop name must not be empty")
        if not self.phone_number_id.strip().isdigit():
            raise InvalidInput(
                f"phone_number_id {self.phone_number_id!r} must be the numeric id Meta shows "
                "under WhatsApp > API Setup"
            )
        if not self.access_token.strip():
            raise InvalidInput("access token must not be empty")
        if self.default_language not in LANGUAGES:
            raise InvalidInput(f"default language must be one of {', '.join(LANGUAGES)}")
        texts = {
            "shop name": self.name,
            "access token": self.access_token,
            "display number": self.display_phone_number,
        }
        for what, text in texts.items():
            if NUL in text:  # PostgreSQL cannot store it
                raise InvalidInput(f"{what} must not have a NUL character (U+0000)")
        phones = tuple(normalise_phone(p) for p in self.staff_phones)
        return NewTenant(
            code=code,
            name=self.name.strip(),
            phone_number_id=self.phone_number_id.strip(),
            access_token=self.access_token.strip(),
            display_phone_number=self.display_phone_number.strip(),
            staff_phones=phones,
            default_language=self.default_language,
        )


def normalise_phone(raw: str) -> str:
    """Staff numbers as WhatsApp reports them: digits with the country code, no '+'."""
    digits = re.sub(r"[\s()+-]", "", raw)
    if digits.startswith("0") and len(digits) == 10:  # a South African local number
        digits = "27" + digits[1:]
    if not _PHONE.match(digits):
        raise InvalidInput(
            f"phone number {raw!r} must be digits with the country code, e.g. 27821234567"
        )
    return digits


async def add_tenant(engine: AsyncEngine, new: NewTenant) -> Tenant:
    """Create a shop with its WhatsApp number and staff in one transaction."""
    new = new.validated()
    tenant_id = uuid.uuid4()
    try:
        async with tenant_transaction(engine, tenant_id) as conn:
            await conn.execute(
                tenants.insert().values(
                    id=tenant_id,
                    code=new.code,
                    name=new.name,
                    default_language=new.default_language,
                )
            )
            await conn.execute(tenant_codes.insert().values(code=new.code, tenant_id=tenant_id))
            await conn.execute(
                phone_numbers.insert().values(
                    phone_number_id=new.phone_number_id,
                    display_phone_number=new.display_phone_number,
                    tenant_id=tenant_id,
                )
            )
            await conn.execute(
                whatsapp_channels.insert().values(
                    tenant_id=tenant_id,
                    phone_number_id=new.phone_number_id,
                    access_token=new.access_token,
                )
            )
            for phone in new.staff_phones:
                await conn.execute(
                    insert(staff).values(tenant_id=tenant_id, phone=phone).on_conflict_do_nothing()
                )
    except IntegrityError as exc:
        raise Conflict(
            f"shop code {new.code!r} or phone_number_id {new.phone_number_id!r} is already taken"
        ) from exc
    return Tenant(tenant_id, new.code, new.name, new.default_language, True)


async def tenant_for_number(engine: AsyncEngine, phone_number_id: str) -> UUID:
    """Which shop a business number belongs to (a global lookup, before any tenant context)."""
    async with global_transaction(engine) as conn:
        found = await conn.scalar(
            select(phone_numbers.c.tenant_id).where(
                phone_numbers.c.phone_number_id == phone_number_id
            )
        )
    if found is None:
        raise UnknownChannel(phone_number_id)
    return UUID(str(found))


async def get_tenant(engine: AsyncEngine, tenant_id: UUID) -> Tenant:
    async with tenant_transaction(engine, tenant_id) as conn:
        # RLS already narrows to this shop; the WHERE keeps a superuser engine honest too.
        row = (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).one_or_none()
    if row is None:
        raise UnknownChannel(str(tenant_id))
    return Tenant(row.id, row.code, row.name, row.default_language, row.is_open)


async def access_token(engine: AsyncEngine, tenant_id: UUID, phone_number_id: str) -> str:
    """The shop's Graph API token for one of its numbers."""
    async with tenant_transaction(engine, tenant_id) as conn:
        token = await conn.scalar(
            select(whatsapp_channels.c.access_token).where(
                whatsapp_channels.c.phone_number_id == phone_number_id
            )
        )
    if token is None:
        raise UnknownChannel(phone_number_id)
    return str(token)


async def is_staff(engine: AsyncEngine, tenant_id: UUID, phone: str) -> bool:
    async with tenant_transaction(engine, tenant_id) as conn:
        found = await conn.scalar(select(staff.c.phone).where(staff.c.phone == phone))
    return found is not None


async def staff_phones(engine: AsyncEngine, tenant_id: UUID) -> frozenset[str]:
    """The shop's registered staff numbers (digits with the country code)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.scalars(select(staff.c.phone))
        return frozenset(str(phone) for phone in rows)


async def channel_numbers(engine: AsyncEngine, tenant_id: UUID) -> list[str]:
    """The shop's WhatsApp numbers (phone_number_ids), oldest first: where it speaks from."""
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.scalars(
            select(whatsapp_channels.c.phone_number_id).order_by(whatsapp_channels.c.created_at)
        )
        return [str(number) for number in rows]


async def set_access_token(engine: AsyncEngine, phone_number_id: str, token: str) -> UUID:
    """Rotate a shop number's Graph API token in place (no gap, unlike delete and add)."""
    if not token.strip():
        raise InvalidInput("access token must not be empty")
    tenant_id = await tenant_for_number(engine, phone_number_id)
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            whatsapp_channels.update()
            .where(whatsapp_channels.c.phone_number_id == phone_number_id)
            .values(access_token=token.strip())
        )
    return tenant_id
