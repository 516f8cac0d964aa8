"""What must hold after a fault, read from what the Graph API fake received and from PostgreSQL.

For each shopper:
- transcript: the messages the fake accepted for them, in the order it accepted them, are
  exactly the replies of each of their messages, once, in the order the worker took the
  messages (the message log's order): nothing lost, nothing doubled, nothing out of order;
- orders: a shopper who paid has exactly one order, the one their confirmation names, and
  the shop's staff were told about it exactly once; nobody else has an order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import asyncpg
import httpx

from bench.e2e.script import order_number
from bench.e2e.shoppers import Shopper
from bot.convtest.received import received
from bot.convtest.shops import SeededShop


async def sends(graph_url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(f"{graph_url}/_fake/messages")
        answer.raise_for_status()
        return sorted(answer.json()["messages"], key=lambda item: item["seq"])


async def _rows(database_url: str, numbers: list[str]) -> tuple[list[Any], list[Any]]:
    connection = await asyncpg.connect(database_url)
    try:
        taken = await connection.fetch(
            "SELECT customer, reference FROM message_log WHERE direction = 'in'"
            " AND customer = ANY($1::text[]) ORDER BY id",
            numbers,
        )
        orders = await connection.fetch(
            "SELECT c.user_key, o.number FROM orders o JOIN customers c"
            " ON c.tenant_id = o.tenant_id AND c.id = o.customer_id"
            " WHERE c.user_key = ANY($1::text[])",
            numbers,
        )
    finally:
        await connection.close()
    return list(taken), list(orders)


def transcript(shopper: Shopper, taken: list[str], texts: list[str]) -> list[str]:
    """Problems with one shopper's transcript (empty when it is exactly right)."""
    sent = set(shopper.steps)
    problems = [
        f"{shopper.number}: message {mid} was sent but never taken" for mid in sent - set(taken)
    ]
    expected = [pattern for mid in taken for pattern in shopper.steps[mid].replies]
    wrong = len(expected) != len(texts) or any(
        not re.search(pattern, text) for pattern, text in zip(expected, texts, strict=False)
    )
    if wrong:
        problems.append(
            f"{shopper.number}: expected {len(expected)} replies {expected}, the fake got "
            f"{len(texts)}: {texts}"
        )
    return problems


async def check(
    shoppers: list[Shopper], shops: list[SeededShop], graph_url: str, database_url: str
) -> list[str]:
    numbers = [shopper.number for shopper in shoppers]
    taken_rows, order_rows = await _rows(database_url, numbers)
    taken: dict[str, list[str]] = defaultdict(list)
    for row in taken_rows:
        taken[row["customer"]].append(row["reference"])
    orders: dict[str, list[str]] = defaultdict(list)
    for row in order_rows:
        orders[row["user_key"]].append(row["number"])
    texts: dict[str, list[str]] = defaultdict(list)
    for item in await sends(graph_url):
        texts[str(item["body"].get("to", ""))].append(received(item["body"]).text)
    staff = {shop.spec.phone_number_id: shop.spec.staff[0] for shop in shops}
    problems: list[str] = []
    for shopper in shoppers:
        mine = texts[shopper.number]
        problems += transcript(shopper, taken[shopper.number], mine)
        placed = [number for number in map(order_number, mine) if number]
        if sorted(orders[shopper.number]) != sorted(placed) or len(placed) > 1:
            problems.append(
                f"{shopper.number}: told of orders {placed}, the database holds "
                f"{orders[shopper.number]}"
            )
        for number in placed:
            told = texts[staff[shopper.phone_number_id]].count(f"New order {number}.")
            if told != 1:
                problems.append(f"{shopper.number}: staff were told of order {number} {told}x")
    return problems
