"""Choosing a shop on a marketplace number, against the real database and the real flows:
by code, name or location pin; then the conversation belongs to that shop until a switch."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.actions_client import ActionsClient
from bot.directory import Directory
from bot.effects import Effects
from bot.guards import GUARDS
from bot.marketplace import CHOOSING, SHOP_SLOT, Resolution, resolve
from bot.nlu.client import NluClient
from bot.store.memory import MemoryStore
from bot.turn import Turns
from commerce import consent, marketplace
from commerce.catalog import NewProduct, list_products, upsert_products
from commerce.marketplace import ShopListing
from commerce.tenants import NewTenant, Tenant, add_tenant
from dialogue.engine import Engine
from dialogue.flows import load_flows
from dialogue.messages import InboundMessage, ListReply, Location, OutgoingMessage, TextReply
from dialogue.responses import Responses
from dialogue.state import ConversationState

pytestmark = pytest.mark.integration

FLOWS = Path(__file__).resolve().parents[2] / "dialogue" / "flows"
RESPONSES = Responses(
    {
        "utter_marketplace_welcome": [
            {"text": "Welcome! Send a shop code, a name or your location."},
            {
                "text": "Siyakwamukela! (zu welcome)",
                "condition": [{"type": "slot", "name": "language", "value": "zu"}],
            },
        ],
        "utter_marketplace_matches": [
            {"text": "{count} shops. Tap one:", "custom": {"list_button": "Shops"}}
        ],
        "utter_marketplace_not_found": [{"text": "No shop for '{query}'."}],
        "utter_marketplace_switched": [{"text": "Now shopping at {shop_name}."}],
    }
)
SOWETO = (-26.2485, 27.8540)
FAR_AWAY = (-33.9249, 18.4241)  # Cape Town


@dataclass(frozen=True)
class Market:
    number: str
    a: Tenant  # listed, located
    b: Tenant  # listed, located ~1.5 km from A
    hidden: Tenant  # unlisted: by its code only
    outsider: Tenant  # on its own number, not in the directory
    shop_number: str  # the outsider's own number
    directory: Directory
    turns: Turns
    tag: str

    async def resolve(
        self, message: InboundMessage, record: ConversationState | None
    ) -> Resolution:
        resolution = await resolve(
            message,
            record,
            directory=self.directory,
            responses=RESPONSES,
            first_state=self.turns.first_state,
        )
        assert resolution is not None
        return resolution


def _number() -> str:
    return str(random.randrange(10**13, 10**14))


async def _shop(admin_engine: AsyncEngine, code: str, name: str, sku: str) -> Tenant:
    tenant = await add_tenant(
        admin_engine,
        NewTenant(code=code, name=name, phone_number_id=_number(), access_token=f"own-{code}"),
    )
    await upsert_products(admin_engine, tenant.id, [NewProduct(sku, {"en": sku.title()}, 1000)])
    return tenant


@pytest.fixture(scope="module")
async def market(admin_engine: AsyncEngine, app_engine: AsyncEngine) -> AsyncIterator[Market]:
    tag = f"{random.randrange(10**5, 10**6)}"
    a = await _shop(admin_engine, f"MKA-{tag}", f"Thandi{tag} Spaza", "BREAD")
    b = await _shop(admin_engine, f"MKB-{tag}", f"Sipho{tag} Tuck Shop", "CHIPS")
    hidden = await _shop(admin_engine, f"MKH-{tag}", f"Thandi{tag} Hidden", "SOAP")
    outsider_number = _number()
    outsider = await add_tenant(
        admin_engine,
        NewTenant(
            code=f"MKO-{tag}",
            name=f"Thandi{tag} Outsider",
            phone_number_id=outsider_number,
            access_token="own-outsider",
        ),
    )
    lat, lon = SOWETO
    listings = [
        ShopListing(a.code, latitude=lat, longitude=lon, area="Orlando East"),
        ShopListing(b.code, latitude=lat + 0.0135, longitude=lon, area="Orlando West"),
        ShopListing(hidden.code, latitude=lat, longitude=lon, listed=False),
    ]
    for listing in listings:
        await marketplace.list_shop(admin_engine, listing)
    number = _number()
    await marketplace.add_number(admin_engine, number, "operator-token")
    async with httpx.AsyncClient() as http:  # never used: first_state needs no NLU or actions
        turns = Turns(
            db=app_engine,
            nlu=NluClient("http://127.0.0.1:9", http),
            engine=Engine(load_flows(FLOWS), GUARDS),
            effects=Effects(
                ActionsClient("http://127.0.0.1:9", "x", http), RESPONSES, MemoryStore()
            ),
        )
        yield Market(
            number, a, b, hidden, outsider, outsider_number, Directory(app_engine), turns, tag
        )


def _message(market: Market, kind: str = "text", sender: str = "", **fields: Any) -> InboundMessage:
    return InboundMessage(
        message_id=f"wamid.{uuid.uuid4().hex}",
        recipient_id=fields.pop("recipient_id", market.number),
        sender_id=sender or f"2783{random.randrange(10**6, 10**7)}",
        timestamp=1,
        kind=kind,  # type: ignore[arg-type]
        **fields,
    )


def _text(reply: OutgoingMessage) -> str:
    assert isinstance(reply, TextReply | ListReply)
    return reply.text


def _rows(reply: OutgoingMessage) -> list[tuple[str, str]]:
    assert isinstance(reply, ListReply)
    return [(row.id, row.description) for section in reply.sections for row in section.rows]


async def test_a_shops_own_number_is_left_to_the_usual_turn(market: Market) -> None:
    message = _message(market, text="hi", recipient_id=market.shop_number)
    assert (
        await resolve(
            message,
            None,
            directory=market.directory,
            responses=RESPONSES,
            first_state=market.turns.first_state,
        )
        is None
    )


async def test_a_first_hello_gets_the_welcome_and_no_shop(market: Market) -> None:
    chosen = await market.resolve(_message(market, text="Hi"), None)
    assert chosen.shop is None
    assert [_text(r) for r in chosen.replies] == [
        "Welcome! Send a shop code, a name or your location."
    ]
    assert chosen.record.state == CHOOSING
    assert SHOP_SLOT not in chosen.record.slots


async def test_a_wa_me_code_chooses_the_shop_and_a_new_shopper_starts_with_consent(
    market: Market,
) -> None:
    message = _message(market, text=f"Hi mka {market.tag}")  # "Hi MKA-<n>" as typed
    chosen = await market.resolve(message, None)
    assert chosen.shop is not None
    assert chosen.shop.tenant_id == market.a.id
    assert [_text(r) for r in chosen.replies] == [f"Now shopping at {market.a.name}."]
    assert chosen.record.state == "consent"  # the flows' initial state
    assert chosen.record.slots == {SHOP_SLOT: market.a.code}
    assert chosen.message is not None
    assert chosen.message.payload == "/greet"
    assert chosen.message.message_id == message.message_id


async def test_a_shopper_who_agreed_before_goes_straight_to_the_shop(
    market: Market, app_engine: AsyncEngine
) -> None:
    sender = "27830000001"
    await consent.record_consent(
        app_engine, market.a.id, sender, "messages", granted=True, text_version="v1"
    )
    compact = f"MKA{market.tag}"  # the code without its hyphen
    chosen = await market.resolve(_message(market, text=compact, sender=sender), None)
    assert chosen.shop is not None
    assert chosen.shop.tenant_id == market.a.id
    assert chosen.record.state == "start"


async def test_a_name_lists_the_listed_shops_that_match_and_a_tap_chooses(market: Market) -> None:
    listed = await market.resolve(_message(market, text=f"thandi{market.tag}"), None)
    assert listed.shop is None
    [reply] = listed.replies
    assert _rows(reply) == [(f"shop:{market.a.code}", "Orlando East")]  # not hidden/outsider
    tap = _message(market, "choice", payload=f"shop:{market.a.code}")
    chosen = await market.resolve(tap, listed.record)
    assert chosen.shop is not None
    assert chosen.shop.tenant_id == market.a.id


async def test_a_location_pin_lists_the_nearest_listed_shops_first(market: Market) -> None:
    pin = Location(latitude=SOWETO[0] + 0.002, longitude=SOWETO[1], name="Home")
    listed = await market.resolve(_message(market, "location", location=pin), None)
    [reply] = listed.replies
    assert _rows(reply) == [
        (f"shop:{market.a.code}", "Orlando East · 220 m"),
        (f"shop:{market.b.code}", "Orlando West · 1.3 km"),
    ]


async def test_an_unlisted_shop_is_found_by_its_code_and_an_outsider_not_at_all(
    market: Market,
) -> None:
    hidden = await market.resolve(_message(market, text=market.hidden.code), None)
    assert hidden.shop is not None
    assert hidden.shop.tenant_id == market.hidden.id
    outsider = await market.resolve(_message(market, text=market.outsider.code), None)
    assert outsider.shop is None
    assert [_text(r) for r in outsider.replies] == [f"No shop for '{market.outsider.code}'."]


@pytest.mark.parametrize(
    ("fields", "reply"),
    [
        ({"text": "Hi ZZQ-4040404"}, "No shop for 'Hi ZZQ-4040404'."),  # unknown code
        ({"text": " ?! "}, "No shop for '?!'."),  # no name in it
        ({"text": "x"}, "No shop for 'x'."),  # too short to search
        ({"text": "Nobody By This Name"}, "No shop for 'Nobody By This Name'."),
        ({"kind": "choice", "payload": "shop:ZZQ-1"}, "No shop for 'ZZQ-1'."),
        (
            {"kind": "location", "location": Location(latitude=FAR_AWAY[0], longitude=FAR_AWAY[1])},
            "No shop for ''.",
        ),
    ],
)
async def test_bad_input_gets_a_clear_reply_and_no_shop(
    market: Market, fields: dict[str, Any], reply: str
) -> None:
    welcomed = ConversationState(state=CHOOSING)
    chosen = await market.resolve(_message(market, **fields), welcomed)
    assert chosen.shop is None
    assert [_text(r) for r in chosen.replies] == [reply]


async def test_stop_before_any_shop_is_answered_with_silence(market: Market) -> None:
    chosen = await market.resolve(_message(market, text="STOP"), None)
    assert (chosen.shop, chosen.replies) == (None, ())


async def test_after_choosing_every_message_goes_to_that_shop(market: Market) -> None:
    chosen = await market.resolve(_message(market, text=market.a.code), None)
    for message in (
        _message(market, text="2 bread"),
        _message(market, "location", location=Location(latitude=0.0, longitude=0.0)),
        _message(market, text="hi"),
    ):
        turn = await market.resolve(message, chosen.record)
        assert turn.shop is not None
        assert turn.shop.tenant_id == market.a.id
        assert (turn.replies, turn.message, turn.record) == ((), message, chosen.record)


async def test_switching_shops_carries_nothing_of_the_first_shop_over(
    market: Market, app_engine: AsyncEngine
) -> None:
    first = await market.resolve(_message(market, text=market.a.code), None)
    busy = first.record.model_copy(
        update={
            "state": "start",
            "language": "zu",
            "slots": {**first.record.slots, "product_id": "7", "address": "12 Vilakazi St"},
        }
    )
    cleared = await market.resolve(_message(market, text="Shops"), busy)
    assert cleared.shop is None
    assert [_text(r) for r in cleared.replies] == ["Siyakwamukela! (zu welcome)"]
    assert (cleared.record.state, cleared.record.slots) == (CHOOSING, {})
    second = await market.resolve(
        _message(market, "choice", payload=f"shop:{market.b.code}"), cleared.record
    )
    assert second.shop is not None
    assert second.shop.tenant_id == market.b.id
    assert second.record.slots == {SHOP_SLOT: market.b.code}
    assert second.record.language == "zu"  # the shopper's own, not the shop's
    skus = [p.sku for p in await list_products(app_engine, second.shop.tenant_id)]
    assert skus == ["CHIPS"]


async def test_another_shops_poster_code_switches_in_the_middle_of_a_conversation(
    market: Market,
) -> None:
    first = await market.resolve(_message(market, text=market.a.code), None)
    busy = first.record.model_copy(update={"slots": {**first.record.slots, "product_id": "7"}})
    second = await market.resolve(_message(market, text=f"Hi {market.b.code}"), busy)
    assert second.shop is not None
    assert second.shop.tenant_id == market.b.id
    assert second.record.slots == {SHOP_SLOT: market.b.code}
    assert [_text(r) for r in second.replies] == [f"Now shopping at {market.b.name}."]


async def test_a_shop_taken_out_of_the_directory_is_no_longer_the_conversations(
    market: Market, admin_engine: AsyncEngine, app_engine: AsyncEngine
) -> None:
    gone = await _shop(admin_engine, f"MKG-{market.tag}", "Gone Shop", "MEALIE")
    await marketplace.list_shop(admin_engine, ShopListing(gone.code))
    directory = Directory(app_engine)  # a fresh cache, as after the cache time
    chosen = await resolve(
        _message(market, text=gone.code),
        None,
        directory=directory,
        responses=RESPONSES,
        first_state=market.turns.first_state,
    )
    assert chosen is not None
    assert chosen.shop is not None
    await marketplace.remove_shop(admin_engine, gone.code)
    later = await resolve(
        _message(market, text="bread"),
        chosen.record,
        directory=Directory(app_engine),
        responses=RESPONSES,
        first_state=market.turns.first_state,
    )
    assert later is not None
    assert later.shop is None
    assert later.record.slots == {}


async def test_replies_from_a_marketplace_number_use_the_operators_token(
    market: Market, app_engine: AsyncEngine
) -> None:
    directory = Directory(app_engine)
    assert await directory.token_for(market.number) == "operator-token"
    assert await directory.token_for(market.shop_number) == "own-outsider"
    assert await directory.sending_shop(market.number, None) is None
    shop = await directory.sending_shop(market.number, str(market.a.id))
    assert shop is not None
    assert shop.tenant_id == market.a.id
    assert await directory.sending_shop(market.number, str(market.outsider.id)) is None
    own = await directory.sending_shop(market.shop_number, None)
    assert own is not None
    assert own.tenant_id == market.outsider.id
