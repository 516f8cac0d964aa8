"""Usage per shop for cost attribution: messages in and out (from the message log) and counted
calls to paid or heavy services (NLU calls), per UTC day.

`record` is one upsert on (shop, day, metric): a shop's messages come one turn at a time, so
the row is never hot enough to contend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import Date, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import tenant_transaction
from commerce.errors import InvalidInput
from commerce.schema import message_log
from commerce.schema_payments import usage_counters

__all__ = ["NLU_CALLS", "UsageDay", "UsageReport", "record", "report"]

NLU_CALLS = "nlu_calls"
_METRIC = re.compile(r"^[a-z][a-z_]{0,39}$")
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class UsageDay:
    day: date
    messages_in: int
    messages_out: int
    counters: dict[str, int]  # e.g. {"nlu_calls": 120}


@dataclass(frozen=True, slots=True)
class UsageReport:
    start: date
    end: date  # inclusive
    days: tuple[UsageDay, ...]  # only days with any usage

    @property
    def messages_in(self) -> int:
        return sum(d.messages_in for d in self.days)

    @property
    def messages_out(self) -> int:
        return sum(d.messages_out for d in self.days)

    def total(self, metric: str) -> int:
        return sum(d.counters.get(metric, 0) for d in self.days)


async def record(
    engine: AsyncEngine,
    tenant_id: UUID,
    metric: str,
    count: int = 1,
    *,
    day: date | None = None,
) -> None:
    """Add `count` to today's (UTC) `metric` for the shop."""
    if not _METRIC.match(metric):
        raise InvalidInput(f"usage metric {metric!r} must be lower-case letters and '_'")
    if count < 0:
        raise InvalidInput(f"usage count must not be negative, got {count}")
    when = day or datetime.now(UTC).date()
    statement = insert(usage_counters).values(
        tenant_id=tenant_id, day=when, metric=metric, count=count
    )
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    usage_counters.c.tenant_id,
                    usage_counters.c.day,
                    usage_counters.c.metric,
                ],
                set_={"count": usage_counters.c.count + statement.excluded.count},
            )
        )


async def report(engine: AsyncEngine, tenant_id: UUID, start: date, end: date) -> UsageReport:
    """Usage from `start` to `end`, both included, by UTC day."""
    if end < start:
        raise InvalidInput(f"usage period ends ({end}) before it starts ({start})")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"ask for at most {MAX_DAYS} days of usage at a time")
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    utc_day = cast(func.timezone("UTC", message_log.c.created_at), Date)
    async with tenant_transaction(engine, tenant_id) as conn:
        messages = await conn.execute(
            select(utc_day.label("day"), message_log.c.direction, func.count())
            .where(
                message_log.c.tenant_id == tenant_id,
                message_log.c.created_at >= since,
                message_log.c.created_at < until,
            )
            .group_by(utc_day, message_log.c.direction)
        )
        counted = await conn.execute(
            select(usage_counters.c.day, usage_counters.c.metric, usage_counters.c.count).where(
                usage_counters.c.tenant_id == tenant_id,
                usage_counters.c.day >= start,
                usage_counters.c.day <= end,
            )
        )
        per_day: dict[date, tuple[dict[str, int], dict[str, int]]] = {}
        for day, direction, count in messages:
            per_day.setdefault(day, ({}, {}))[0][direction] = int(count)
        for day, metric, count in counted:
            per_day.setdefault(day, ({}, {}))[1][metric] = int(count)
    days = tuple(
        UsageDay(day, directions.get("in", 0), directions.get("out", 0), counters)
        for day, (directions, counters) in sorted(per_day.items())
    )
    return UsageReport(start, end, days)
