"""Admin API: catalogue import from CSV with a per-row report, usage per shop, and the daily
reconciliation, each shop's data reached only under its own tenant context."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from commerce import message_log, usage
from commerce.catalog import list_products

from .conftest import Admin

pytestmark = pytest.mark.integration

CSV = """\ufeffSKU,name_en,name_zu,price,unit,aliases_en,colour
BREAD,White bread,Isinkwa,15.99,loaf,loaf|bred,white
MILK,Milk 1L,Ubisi,"R21,99",bottle,,
,No SKU,,5.00,,,
SUGAR,Sugar 2kg,,free,bag,,
EGGS,,,30.00,tray,,
BREAD,White bread again,,16.99,loaf,,
RICE,Rice 2kg,,1 250.50,bag,,
"""


async def _import(admin: Admin, code: str, body: str, **params: str) -> dict[str, object]:
    answer = await admin.post(
        f"/tenants/{code}/catalog/import",
        content=body.encode(),
        headers={"Content-Type": "text/csv"},
        params=params,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_csv_import_writes_the_good_rows_and_reports_the_bad(admin: Admin) -> None:
    shop = await admin.new_shop()
    other = await admin.new_shop()
    report = await _import(admin, shop["code"], CSV)
    assert (report["rows"], report["imported"], report["dry_run"]) == (7, 3, False)
    assert report["ignored_columns"] == ["colour"]
    errors = {(e["line"], e["column"]) for e in report["errors"]}  # type: ignore[attr-defined]
    assert errors == {(4, "sku"), (5, "price"), (6, "name_en"), (7, "sku")}
    messages = {e["line"]: e["message"] for e in report["errors"]}  # type: ignore[attr-defined]
    assert "free" in messages[5]
    assert "also on line 2" in messages[7]

    products = await list_products(admin.engine, uuid.UUID(shop["id"]))
    assert {(p.sku, p.price_cents) for p in products} == {
        ("BREAD", 1599),
        ("MILK", 2199),
        ("RICE", 125050),
    }
    bread = next(p for p in products if p.sku == "BREAD")
    assert (bread.names, bread.aliases) == (
        {"en": "White bread", "zu": "Isinkwa"},
        {"en": ("loaf", "bred")},
    )
    assert await list_products(admin.engine, uuid.UUID(other["id"])) == []
    [entry] = await admin.rows(
        shop["id"], "SELECT actor, details FROM audit_log WHERE action = 'catalog.imported'"
    )
    assert (entry.actor, entry.details) == ("operator:alice", {"imported": 3, "refused": 4})


async def test_a_dry_run_writes_nothing(admin: Admin) -> None:
    shop = await admin.new_shop()
    report = await _import(admin, shop["code"], CSV, dry_run="true")
    assert (report["imported"], len(report["errors"])) == (0, 4)  # type: ignore[arg-type]
    assert await list_products(admin.engine, uuid.UUID(shop["id"])) == []


async def test_unreadable_files_are_refused_whole(admin: Admin) -> None:
    shop = await admin.new_shop()
    path = f"/tenants/{shop['code']}/catalog/import"
    headers = {"Content-Type": "text/csv"}
    no_price = await admin.post(path, content=b"sku,name_en\nA,B\n", headers=headers)
    assert no_price.status_code == 422
    assert "price" in no_price.json()["error"]["message"]
    latin1 = await admin.post(path, content="sku,name_en,price\nA,Caf\xe9,1\n".encode("latin-1"))
    assert latin1.status_code == 422
    assert "UTF-8" in latin1.json()["error"]["message"]
    assert await list_products(admin.engine, uuid.UUID(shop["id"])) == []


async def test_usage_per_shop(admin: Admin) -> None:
    shop, other = await admin.new_shop(), await admin.new_shop()
    shop_id = uuid.UUID(shop["id"])
    for direction in ("in", "in", "out"):
        entry = message_log.LoggedMessage(
            direction, f"ref-{uuid.uuid4().hex}", "1234", "27820000001", "text", "received"
        )
        await message_log.record(admin.engine, shop_id, entry)
    await usage.record(admin.engine, shop_id, usage.NLU_CALLS, 2)
    await usage.record(admin.engine, shop_id, usage.NLU_CALLS)
    today = datetime.now(UTC).date()

    mine = (await admin.get(f"/tenants/{shop['code']}/usage")).json()
    assert (mine["messages_in"], mine["messages_out"], mine["nlu_calls"]) == (2, 1, 3)
    assert mine["days"] == [
        {
            "day": today.isoformat(),
            "messages_in": 2,
            "messages_out": 1,
            "nlu_calls": 3,
            "counters": {"nlu_calls": 3},
        }
    ]
    theirs = (await admin.get(f"/tenants/{other['code']}/usage")).json()
    assert (theirs["messages_in"], theirs["nlu_calls"], theirs["days"]) == (0, 0, [])
    earlier = today - timedelta(days=3)
    old = await admin.get(
        f"/tenants/{shop['code']}/usage", params={"start": str(earlier), "end": str(earlier)}
    )
    assert old.json()["days"] == []
    everyone = {u["code"]: u for u in (await admin.get("/usage")).json()}
    assert everyone[shop["code"]]["nlu_calls"] == 3
    assert everyone[other["code"]]["nlu_calls"] == 0
    backwards = await admin.get(
        f"/tenants/{shop['code']}/usage", params={"start": str(today), "end": str(earlier)}
    )
    assert backwards.status_code == 422


async def test_the_reconciliation_is_served_as_json_and_csv(admin: Admin) -> None:
    shop = await admin.new_shop()
    day = date.today()
    path = f"/tenants/{shop['code']}/reconciliation"
    as_json = (await admin.get(path, params={"day": str(day)})).json()
    assert (as_json["lines"], as_json["totals"]["orders"]) == ([], 0)
    as_csv = await admin.get(path, params={"day": str(day), "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0].startswith("order_number,status,payment_method")
