"""Admin API: shops, their WhatsApp channels and staff, and isolation between shops."""

from __future__ import annotations

import uuid

import pytest

from commerce.errors import UnknownChannel
from commerce.tenants import tenant_for_number

from .conftest import Admin

pytestmark = pytest.mark.integration


async def test_a_shop_is_created_listed_and_read(admin: Admin) -> None:
    shop = await admin.new_shop(default_language="zu")
    assert (shop["default_language"], shop["is_open"]) == ("zu", True)
    listed = (await admin.get("/tenants")).json()
    assert shop in listed
    read = await admin.get(f"/tenants/{shop['code'].lower()}")  # codes are case-insensitive
    assert read.json() == shop
    [entry] = await admin.rows(
        shop["id"], "SELECT actor, action FROM audit_log WHERE action = 'tenant.created'"
    )
    assert tuple(entry) == ("operator:alice", "tenant.created")


async def test_shop_refusals_name_the_problem(admin: Admin) -> None:
    shop = await admin.new_shop()
    again = await admin.post(
        "/tenants",
        json={
            "code": shop["code"],
            "name": "Copy",
            "phone_number_id": "700000000001",
            "access_token": "t",
        },
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    bad = await admin.post(
        "/tenants",
        json={"code": "OK-1", "name": "x", "phone_number_id": "not-a-number", "access_token": "t"},
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_input")
    assert "phone_number_id" in bad.json()["error"]["message"]
    unknown = await admin.get("/tenants/NO-SUCH-SHOP")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    missing = await admin.post("/tenants", json={"code": "X1"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "invalid_request")


async def test_channels_are_added_listed_and_removed(admin: Admin) -> None:
    shop = await admin.new_shop()
    other = await admin.new_shop()
    base = f"/tenants/{shop['code']}/channels"
    [first] = (await admin.get(base)).json()
    assert "access_token" not in first
    number = str(700_000_000_000 + uuid.uuid4().int % 10**11)
    added = await admin.post(base, json={"phone_number_id": number, "access_token": "secret-token"})
    assert added.status_code == 201
    assert "secret-token" not in added.text
    assert await tenant_for_number(admin.engine, number) == uuid.UUID(shop["id"])
    numbers = [c["phone_number_id"] for c in (await admin.get(base)).json()]
    assert numbers == [first["phone_number_id"], number]

    taken = await admin.post(
        f"/tenants/{other['code']}/channels",
        json={"phone_number_id": number, "access_token": "x"},
    )
    assert taken.status_code == 409
    # A crafted path: another shop's number through this shop's URL changes nothing.
    crafted = await admin.delete(f"/tenants/{other['code']}/channels/{number}")
    assert crafted.status_code == 404
    assert await tenant_for_number(admin.engine, number) == uuid.UUID(shop["id"])

    assert (await admin.delete(f"{base}/{number}")).status_code == 204
    assert (await admin.delete(f"{base}/{number}")).status_code == 404
    with pytest.raises(UnknownChannel):
        await tenant_for_number(admin.engine, number)


async def test_staff_are_added_listed_and_removed(admin: Admin) -> None:
    shop = await admin.new_shop()
    other = await admin.new_shop(staff_phones=["0831112222"])
    base = f"/tenants/{shop['code']}/staff"
    added = await admin.post(base, json={"phone": "+27 82 555 0101", "name": "Thandi"})
    assert added.status_code == 201
    assert (added.json()["phone"], added.json()["role"]) == ("27825550101", "staff")
    phones = [m["phone"] for m in (await admin.get(base)).json()]
    assert phones == ["27821234567", "27825550101"]
    duplicate = await admin.post(base, json={"phone": "0825550101"})
    assert duplicate.status_code == 409

    # Another shop's staff member through this shop's URL: not found, and still there.
    assert (await admin.delete(f"{base}/27831112222")).status_code == 404
    other_staff = [m["phone"] for m in (await admin.get(f"/tenants/{other['code']}/staff")).json()]
    assert "27831112222" in other_staff

    assert (await admin.delete(f"{base}/0825550101")).status_code == 204
    assert [m["phone"] for m in (await admin.get(base)).json()] == ["27821234567"]
    actions = await admin.rows(
        shop["id"],
        "SELECT actor, action, subject FROM audit_log WHERE action LIKE 'staff.%' ORDER BY id",
    )
    assert [tuple(a) for a in actions] == [
        ("operator:alice", "staff.added", "staff:*0101"),
        ("operator:alice", "staff.removed", "staff:*0101"),
    ]
