"""Shops, their WhatsApp channels and their staff."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from bot.admin.deps import Context, Operator, ShopId
from bot.admin.schemas import (
    ChannelCreate,
    ChannelPublic,
    OperatorPublic,
    StaffCreate,
    StaffPublic,
    TenantCreate,
    TenantPublic,
)
from commerce import audit, shop_admin
from commerce.db import tenant_transaction
from commerce.shop_admin import tenant_directory
from commerce.tenants import NewTenant, Tenant, add_tenant, get_tenant

router = APIRouter()


def _tenant(tenant: Tenant) -> TenantPublic:
    return TenantPublic(
        id=tenant.id,
        code=tenant.code,
        name=tenant.name,
        default_language=tenant.default_language,
        is_open=tenant.is_open,
    )


@router.get("/me", tags=["auth"])
async def whoami(operator: Operator) -> OperatorPublic:
    """The operator the token names, and when it expires."""
    return OperatorPublic(subject=operator.subject, expires_at=operator.expires_at)


@router.post("/tenants", status_code=status.HTTP_201_CREATED, tags=["tenants"])
async def create_tenant(body: TenantCreate, context: Context, operator: Operator) -> TenantPublic:
    """Add a shop with its first WhatsApp number and staff (the owner's engine writes the
    global directories; everything else is under the new shop's tenant context)."""
    tenant = await add_tenant(
        context.owner_engine,
        NewTenant(
            code=body.code,
            name=body.name,
            phone_number_id=body.phone_number_id,
            access_token=body.access_token.get_secret_value(),
            display_phone_number=body.display_phone_number,
            staff_phones=tuple(body.staff_phones),
            default_language=body.default_language,
        ),
    )
    async with tenant_transaction(context.engine, tenant.id) as conn:
        await audit.record(
            conn, tenant.id, operator.actor, "tenant.created", f"tenant:{tenant.code}"
        )
    return _tenant(tenant)


@router.get("/tenants", tags=["tenants"])
async def list_tenants(context: Context, _operator: Operator) -> list[TenantPublic]:
    shops = await tenant_directory(context.engine)
    return [_tenant(await get_tenant(context.engine, tenant_id)) for tenant_id in shops.values()]


@router.get("/tenants/{code}", tags=["tenants"])
async def read_tenant(shop: ShopId, context: Context) -> TenantPublic:
    return _tenant(await get_tenant(context.engine, shop))


def _channel(channel: shop_admin.Channel) -> ChannelPublic:
    return ChannelPublic(
        phone_number_id=channel.phone_number_id,
        display_phone_number=channel.display_phone_number,
        created_at=channel.created_at,
    )


@router.get("/tenants/{code}/channels", tags=["channels"])
async def list_channels(shop: ShopId, context: Context) -> list[ChannelPublic]:
    return [_channel(c) for c in await shop_admin.list_channels(context.engine, shop)]


@router.post("/tenants/{code}/channels", status_code=status.HTTP_201_CREATED, tags=["channels"])
async def add_channel(
    body: ChannelCreate, shop: ShopId, context: Context, operator: Operator
) -> ChannelPublic:
    channel = await shop_admin.add_channel(
        context.owner_engine,
        shop,
        body.phone_number_id,
        body.access_token.get_secret_value(),
        display_phone_number=body.display_phone_number,
        actor=operator.actor,
    )
    return _channel(channel)


@router.delete(
    "/tenants/{code}/channels/{phone_number_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["channels"],
)
async def remove_channel(
    phone_number_id: str, shop: ShopId, context: Context, operator: Operator
) -> Response:
    await shop_admin.remove_channel(
        context.owner_engine, shop, phone_number_id, actor=operator.actor
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _staff(member: shop_admin.StaffMember) -> StaffPublic:
    return StaffPublic(
        phone=member.phone, name=member.name, role=member.role, created_at=member.created_at
    )


@router.get("/tenants/{code}/staff", tags=["staff"])
async def list_staff(shop: ShopId, context: Context) -> list[StaffPublic]:
    return [_staff(m) for m in await shop_admin.list_staff(context.engine, shop)]


@router.post("/tenants/{code}/staff", status_code=status.HTTP_201_CREATED, tags=["staff"])
async def add_staff(
    body: StaffCreate, shop: ShopId, context: Context, operator: Operator
) -> StaffPublic:
    member = await shop_admin.add_staff(
        context.engine, shop, body.phone, name=body.name, role=body.role, actor=operator.actor
    )
    return _staff(member)


@router.delete(
    "/tenants/{code}/staff/{phone}", status_code=status.HTTP_204_NO_CONTENT, tags=["staff"]
)
async def remove_staff(phone: str, shop: ShopId, context: Context, operator: Operator) -> Response:
    await shop_admin.remove_staff(context.engine, shop, phone, actor=operator.actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
