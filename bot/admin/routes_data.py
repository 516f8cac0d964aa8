"""Catalogue import, usage for cost attribution, and the daily reconciliation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.deps import Context, Operator, ShopId
from bot.admin.schemas import (
    CatalogImportPublic,
    ImportRowError,
    UsageDayPublic,
    UsagePublic,
)
from commerce import reconciliation, usage
from commerce.catalog_import import import_catalog
from commerce.errors import InvalidInput
from commerce.shop_admin import tenant_directory

router = APIRouter()

MAX_CSV_BYTES = 2_000_000
_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "UTF-8 CSV; header: sku,name_en,price[,name_zu,name_st,unit,aliases_en,…]",
    }
}


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused past `limit` bytes without reading the rest into memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InvalidInput(f"the CSV is larger than {limit} bytes; split it into parts")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise InvalidInput(f"the CSV is larger than {limit} bytes; split it into parts")
    return bytes(body)


@router.post("/tenants/{code}/catalog/import", tags=["catalog"], openapi_extra=_CSV_BODY)
async def import_csv(
    request: Request,
    shop: ShopId,
    context: Context,
    operator: Operator,
    dry_run: Annotated[bool, Query(description="check the file, write nothing")] = False,
) -> CatalogImportPublic:
    """Add or update products from a CSV. Good rows are written; every bad row is reported
    with its line, column and the fix, and is not written."""
    raw = await _read_limited(request, MAX_CSV_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the CSV is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' from the sheet"
        ) from exc
    report = await import_catalog(context.engine, shop, text, actor=operator.actor, dry_run=dry_run)
    return CatalogImportPublic(
        rows=report.rows,
        imported=report.imported,
        dry_run=report.dry_run,
        errors=[
            ImportRowError(line=e.line, sku=e.sku, column=e.column, message=e.message)
            for e in report.errors
        ],
        ignored_columns=list(report.ignored_columns),
    )


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    last = end or datetime.now(UTC).date()
    return start or last - timedelta(days=29), last


async def _usage(engine: AsyncEngine, code: str, shop: UUID, start: date, end: date) -> UsagePublic:
    found = await usage.report(engine, shop, start, end)
    days = [
        UsageDayPublic(
            day=d.day,
            messages_in=d.messages_in,
            messages_out=d.messages_out,
            nlu_calls=d.counters.get(usage.NLU_CALLS, 0),
            counters=d.counters,
        )
        for d in found.days
    ]
    return UsagePublic(
        code=code,
        start=start,
        end=end,
        messages_in=found.messages_in,
        messages_out=found.messages_out,
        nlu_calls=found.total(usage.NLU_CALLS),
        days=days,
    )


Since = Annotated[date | None, Query(description="first UTC day (default: 30 days back)")]
Until = Annotated[date | None, Query(description="last UTC day, included (default: today)")]


@router.get("/tenants/{code}/usage", tags=["usage"])
async def shop_usage(
    code: str, shop: ShopId, context: Context, start: Since = None, end: Until = None
) -> UsagePublic:
    """Messages in and out and NLU calls per UTC day, for cost attribution."""
    first, last = _period(start, end)
    return await _usage(context.engine, code.upper(), shop, first, last)


@router.get("/usage", tags=["usage"])
async def all_usage(
    context: Context, _operator: Operator, start: Since = None, end: Until = None
) -> list[UsagePublic]:
    """Usage of every shop (each read under its own tenant context)."""
    first, last = _period(start, end)
    shops = await tenant_directory(context.engine)
    return [await _usage(context.engine, c, shop, first, last) for c, shop in shops.items()]


@router.get(
    "/tenants/{code}/reconciliation",
    tags=["reconciliation"],
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def daily_reconciliation(
    shop: ShopId,
    context: Context,
    day: Annotated[date, Query(description="the shop's calendar day")],
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """Orders against gateway payments and cash for one day of the shop."""
    report = await reconciliation.daily_report(context.engine, shop, day)
    if output == "csv":
        name = f"reconciliation-{day.isoformat()}.csv"
        return PlainTextResponse(
            report.to_csv(),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(report.to_json())
