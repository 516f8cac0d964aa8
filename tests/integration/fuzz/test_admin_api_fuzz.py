"""schemathesis over the operator admin API: every operation of the OpenAPI schema it serves,
with valid and invalid input, a valid short-lived operator token, on the real PostgreSQL (the
app role under row-level security, the owner for the directories) and the Redis rate limit.

No input may be a server error, and every declared response must match its schema. Examples
the fuzzer once turned into 500s (a NUL character, which PostgreSQL cannot store; CSV files
the csv reader refused) are kept below as plain tests.

schemathesis generates the requests (its Python API: one strategy per operation, positive and
negative) and judges the responses (`Case.validate_response`); they travel over httpx's ASGI
transport in pytest's event loop, where the session's engines live. (Its own ASGI transport
runs apps in a loop thread of its own, and `schemathesis.pytest.from_fixture` does not work
with pytest 9.)
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin import create_admin_app, issue_token
from bot.settings import Settings
from bot.throughput.redis import RedisFloodThrottle
from commerce.catalog import NewProduct, upsert_products
from commerce.tenants import NewTenant, add_tenant
from tests.integration.fuzz.schemas import Fuzzed, send

pytestmark = pytest.mark.integration

SECRET = "admin-fuzz-secret-0123456789abcdef0123"
OPERATIONS = [
    ("GET", "/health"),
    ("GET", "/me"),
    ("GET", "/tenants"),
    ("POST", "/tenants"),
    ("GET", "/tenants/{code}"),
    ("GET", "/tenants/{code}/channels"),
    ("POST", "/tenants/{code}/channels"),
    ("DELETE", "/tenants/{code}/channels/{phone_number_id}"),
    ("GET", "/tenants/{code}/staff"),
    ("POST", "/tenants/{code}/staff"),
    ("DELETE", "/tenants/{code}/staff/{phone}"),
    ("POST", "/tenants/{code}/catalog/import"),
    ("GET", "/tenants/{code}/usage"),
    ("GET", "/usage"),
    ("GET", "/tenants/{code}/reconciliation"),
]


@dataclass
class Admin(Fuzzed):
    shop_code: str  # a real shop, so requests also get past the 404s


@pytest.fixture(scope="module")
async def admin(
    settings: Settings, admin_engine: AsyncEngine, app_engine: AsyncEngine, redis_url: str
) -> AsyncIterator[Admin]:
    code = f"FZA-{uuid.uuid4().hex[:6].upper()}"
    tenant = await add_tenant(
        admin_engine,
        NewTenant(
            code=code,
            name="Fuzzed shop <b>'; --",
            phone_number_id=str(uuid.uuid4().int)[:15],
            access_token="graph-token",
            staff_phones=("27821230000",),
        ),
    )
    await upsert_products(admin_engine, tenant.id, [NewProduct("BREAD", {"en": "Bread"}, 1599)])
    throttle = RedisFloodThrottle(
        redis_url, prefix=f"{settings.namespace}:fuzz-admin", limit=1_000_000, window=60
    )
    await throttle.start()
    app = create_admin_app(
        engine=app_engine, owner_engine=admin_engine, secret=SECRET, throttle=throttle
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
        served = (await client.get("/openapi.json")).json()
        yield Admin(
            client=client,
            schema=schemathesis.openapi.from_dict(served),
            auth={"Authorization": f"Bearer {issue_token(SECRET, 'fuzzer', ttl_seconds=600)}"},
            shop_code=code,
        )
    await throttle.close()


async def test_every_operation_is_fuzzed(admin: Admin) -> None:
    served = {(op.ok().method.upper(), op.ok().path) for op in admin.schema.get_all_operations()}
    assert served == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
async def test_no_admin_request_is_a_server_error(
    admin: Admin, method: str, path: str, data: st.DataObject
) -> None:
    def real_shop(case: schemathesis.Case, data: st.DataObject) -> None:
        if "code" in (case.path_parameters or {}) and data.draw(st.booleans(), label="real"):
            case.path_parameters = {**(case.path_parameters or {}), "code": admin.shop_code}

    await send(admin, method, path, data, adjust=real_shop)


# --- examples the fuzzer found --------------------------------------------------------------


async def new_shop(admin: Admin, **fields: Any) -> httpx.Response:
    body = {
        "code": f"FZN-{uuid.uuid4().hex[:8].upper()}",
        "name": "Spaza",
        "phone_number_id": str(uuid.uuid4().int)[:15],
        "access_token": "graph-token",
    } | fields
    return await admin.client.post("/tenants", json=body, headers=admin.auth)


async def import_csv(admin: Admin, text: str) -> httpx.Response:
    return await admin.client.post(
        f"/tenants/{admin.shop_code}/catalog/import",
        content=text.encode(),
        headers={**admin.auth, "Content-Type": "text/csv"},
    )


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"], ids=["CR", "LF", "CRLF"])
async def test_a_csv_is_imported_whatever_its_line_endings(admin: Admin, end: str) -> None:
    """Excel's "CSV (Macintosh)" ends lines with CR alone; Windows with CRLF."""
    text = end.join(["sku,name_en,price", "BREAD,White bread,15.99", "MILK,Milk,21.99", ""])
    answer = await import_csv(admin, text)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["imported"], answer.json()["errors"]) == (2, [])


async def test_a_csv_cell_past_the_csv_field_limit_is_refused_naming_the_line(
    admin: Admin,
) -> None:
    """csv refuses a cell over 131,072 characters; the body limit (2 MB) lets one through."""
    text = "sku,name_en,price\nMILK,Milk,21.99\nBREAD," + "x" * 200_000 + ",15.99\n"
    answer = await import_csv(admin, text)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"
    assert "line 3" in answer.json()["error"]["message"]


async def test_a_csv_name_with_a_nul_is_a_row_error(admin: Admin) -> None:
    answer = await import_csv(admin, "sku,name_en,price\nBREAD,Bre\x00ad,15.99\nMILK,Milk,2\n")
    assert answer.status_code == 200, answer.text
    [error] = answer.json()["errors"]
    assert (error["line"], error["sku"], error["column"]) == (2, "BREAD", "name_en")
    assert "NUL" in error["message"]
    assert (answer.json()["rows"], answer.json()["imported"]) == (2, 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Spaza\x00"},
        {"display_phone_number": "2711\x00"},
        {"access_token": "tok\x00en"},
        {"code": "NUL\x00"},
        {"staff_phones": ["2782\x001234567"]},
    ],
    ids=["name", "display_phone_number", "access_token", "code", "staff_phones"],
)
async def test_a_new_shop_with_a_nul_is_refused_naming_the_field(
    admin: Admin, fields: dict[str, Any]
) -> None:
    answer = await new_shop(admin, **fields)
    assert answer.status_code == 422, answer.text
    assert next(iter(fields)) in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "27821234567", "name": "Thandi\x00"},
        {"phone": "2782123\x004567"},
    ],
    ids=["name", "phone"],
)
async def test_new_staff_with_a_nul_is_refused(admin: Admin, body: dict[str, str]) -> None:
    answer = await admin.client.post(
        f"/tenants/{admin.shop_code}/staff", json=body, headers=admin.auth
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "fields",
    [{"access_token": "t\x00k"}, {"display_phone_number": "27\x00"}],
    ids=["access_token", "display_phone_number"],
)
async def test_a_new_channel_with_a_nul_is_refused(admin: Admin, fields: dict[str, str]) -> None:
    body = {"phone_number_id": str(uuid.uuid4().int)[:15], "access_token": "graph-token"}
    answer = await admin.client.post(
        f"/tenants/{admin.shop_code}/channels", json=body | fields, headers=admin.auth
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "path",
    ["/tenants/NUL%00", "/tenants/{code}/channels/1%002", "/tenants/{code}/staff/2782%001234567"],
    ids=["code", "channel", "staff"],
)
async def test_a_path_with_a_nul_is_a_client_error(admin: Admin, path: str) -> None:
    method = "GET" if path.count("/") == 2 else "DELETE"
    answer = await admin.client.request(
        method, path.format(code=admin.shop_code), headers=admin.auth
    )
    assert answer.status_code in (404, 422), answer.text
