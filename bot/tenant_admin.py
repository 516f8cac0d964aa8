"""Operator actions on shops, run with the admin database URL."""

from __future__ import annotations

from bot.database import admin_url
from bot.runtime import migrate
from bot.settings import Settings
from commerce.db import create_engine
from commerce.tenants import NewTenant, Tenant, add_tenant, set_access_token


async def add_shop(settings: Settings, new: NewTenant) -> Tenant:
    await migrate(settings)
    engine = create_engine(admin_url(settings), pool_size=1)
    try:
        return await add_tenant(engine, new)
    finally:
        await engine.dispose()


async def rotate_token(settings: Settings, phone_number_id: str, token: str) -> None:
    engine = create_engine(admin_url(settings), pool_size=1)
    try:
        await set_access_token(engine, phone_number_id, token)
    finally:
        await engine.dispose()
