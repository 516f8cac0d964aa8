"""Fresh shops for fuzzing: one per Hypothesis example, so examples never see each other."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.tenants import NewTenant, Tenant, add_tenant


async def new_shop(admin_engine: AsyncEngine, *, staff: tuple[str, ...] = ()) -> Tenant:
    code = f"FZ-{uuid.uuid4().hex[:8].upper()}"
    return await add_tenant(
        admin_engine,
        NewTenant(
            code=code,
            name=f"Shop {code}",
            # Not `random`: Hypothesis seeds it the same way for every example.
            phone_number_id=str(uuid.uuid4().int)[:15],
            access_token="token",
            staff_phones=staff,
        ),
    )
