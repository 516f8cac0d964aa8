"""Stock Rasa's action server (rasa-sdk, in the Rasa environment): the catalogue from the
bench's PostgreSQL database (the same shop Wakala serves), the cart in a slot, orders in a
table of their own. Written as rasa-sdk users usually write actions: synchronous, psycopg2.

Environment: STOCK_DATABASE_URL (the bench's scratch database), STOCK_TENANT_ID (the shop).
"""

from __future__ import annotations

import os
import re
from typing import Any

from psycopg2.pool import ThreadedConnectionPool
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

TENANT = os.environ["STOCK_TENANT_ID"]
POOL = ThreadedConnectionPool(1, 8, os.environ["STOCK_DATABASE_URL"])

Domain = dict[str, Any]
Events = list[dict[str, Any]]


def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = POOL.getconn()
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        POOL.putconn(connection)


query(
    "CREATE TABLE IF NOT EXISTS stock_rasa_orders (id serial PRIMARY KEY, customer text NOT NULL,"
    " total_cents integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)


def rands(cents: int) -> str:
    return f"R{cents // 100}.{cents % 100:02d}"


class ListCategories(Action):
    def name(self) -> str:
        return "action_list_categories"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain) -> Events:
        rows = query(
            "SELECT id, names->>'en' FROM categories WHERE tenant_id = %s ORDER BY position, id",
            TENANT,
        )
        buttons = [
            {"title": title, "payload": f'/choose_category{{"category_id": "{key}"}}'}
            for key, title in rows
        ]
        dispatcher.utter_message(text="What are you looking for?", buttons=buttons)
        return []


class ListProducts(Action):
    def name(self) -> str:
        return "action_list_products"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain) -> Events:
        category = tracker.get_slot("category_id")
        rows = query(
            "SELECT sku, names->>'en' FROM products WHERE tenant_id = %s AND active"
            " AND (%s::bigint IS NULL OR category_id = %s::bigint) ORDER BY names->>'en'",
            TENANT,
            category,
            category,
        )
        buttons = [
            {"title": title, "payload": f'/add_to_cart{{"sku": "{sku}"}}'} for sku, title in rows
        ]
        dispatcher.utter_message(text="Our products:", buttons=buttons)
        return []


class AddToCart(Action):
    def name(self) -> str:
        return "action_add_to_cart"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain) -> Events:
        text = (tracker.latest_message.get("text") or "").lower()
        products = query(
            "SELECT sku, names->>'en', price_cents FROM products WHERE tenant_id = %s AND active",
            TENANT,
        )
        named = next(tracker.get_latest_entity_values("product"), None) or ""
        chosen = next((p for p in products if p[1].lower() in text), None) or next(
            (p for p in products if named and named.lower() in p[1].lower()), None
        )
        if chosen is None:
            dispatcher.utter_message(text="Sorry, we do not have that.")
            return []
        quantity = _quantity(tracker, text)
        cart = list(tracker.get_slot("cart") or [])
        cart.append({"sku": chosen[0], "name": chosen[1], "qty": quantity, "price": chosen[2]})
        items = sum(line["qty"] for line in cart)
        total = sum(line["qty"] * line["price"] for line in cart)
        dispatcher.utter_message(
            text=f"Added {quantity} x {chosen[1]}. Cart: {items} items, {rands(total)}.",
            buttons=[
                {"title": "Checkout", "payload": "/checkout"},
                {"title": "Products", "payload": "/browse_catalog"},
            ],
        )
        return [SlotSet("cart", cart)]


def _quantity(tracker: Tracker, text: str) -> int:
    for value in tracker.get_latest_entity_values("quantity"):
        if str(value).isdigit():
            return int(value)
    found = re.search(r"\d+", text)
    return int(found.group()) if found else 1


class PlaceOrder(Action):
    def name(self) -> str:
        return "action_place_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain) -> Events:
        cart = tracker.get_slot("cart") or []
        total = sum(line["qty"] * line["price"] for line in cart)
        [(order_id,)] = query(
            "INSERT INTO stock_rasa_orders (customer, total_cents) VALUES (%s, %s) RETURNING id",
            tracker.sender_id,
            total,
        )
        number = f"A-{order_id:04d}"
        dispatcher.utter_message(
            text=f"Order {number} is placed. Total {rands(total)}. "
            "We will tell you when it is ready."
        )
        return [
            SlotSet("order_number", number),
            SlotSet("cart", None),
            SlotSet("fulfilment", None),
            SlotSet("payment_method", None),
        ]


class OrderStatus(Action):
    def name(self) -> str:
        return "action_order_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain) -> Events:
        rows = query(
            "SELECT id, total_cents FROM stock_rasa_orders WHERE customer = %s ORDER BY id DESC"
            " LIMIT 1",
            tracker.sender_id,
        )
        if not rows:
            dispatcher.utter_message(text="You have no orders yet.")
            return []
        order_id, total = rows[0]
        dispatcher.utter_message(text=f"Order A-{order_id:04d} ({rands(total)}) is received.")
        return []
