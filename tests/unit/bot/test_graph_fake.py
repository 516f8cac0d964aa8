"""The Graph API fake refuses what Meta refuses, injects errors on demand and records the rest."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.simulator.graph_fake import GraphFake, validate

PHONE, TOKEN, TO = "PN1", "tok", "27820001111"
URL = f"/v21.0/{PHONE}/messages"
Json = dict[str, Any]


def envelope(**content: Any) -> Json:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, **content}


TEXT = envelope(type="text", text={"preview_url": False, "body": "Sawubona"})
BUTTONS = envelope(
    type="interactive",
    interactive={
        "type": "button",
        "body": {"text": "Choose"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "/a", "title": "A"}},
                {"type": "reply", "reply": {"id": "/b", "title": "B"}},
            ]
        },
    },
)
LIST = envelope(
    type="interactive",
    interactive={
        "type": "list",
        "body": {"text": "Choose"},
        "action": {
            "button": "View",
            "sections": [
                {"title": "S1", "rows": [{"id": "1", "title": "One", "description": "d"}]},
                {"title": "S2", "rows": [{"id": "2", "title": "Two"}]},
            ],
        },
    },
)
PRODUCT = envelope(
    type="interactive",
    interactive={"type": "product", "action": {"catalog_id": "C", "product_retailer_id": "S"}},
)
PRODUCTS = envelope(
    type="interactive",
    interactive={
        "type": "product_list",
        "header": {"type": "text", "text": "Dairy"},
        "body": {"text": "Our milk"},
        "action": {
            "catalog_id": "C",
            "sections": [{"title": "Milk", "product_items": [{"product_retailer_id": "M1"}]}],
        },
    },
)
TEMPLATE = envelope(
    type="template",
    template={
        "name": "order_ready",
        "language": {"code": "zu"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Thandi"}]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "/collect"}],
            },
        ],
    },
)
IMAGE = envelope(type="image", image={"link": "https://shop.example/a.jpg", "caption": "Nansi"})
AUDIO = envelope(type="audio", audio={"id": "123"})
DOCUMENT = envelope(type="document", document={"id": "1", "filename": "invoice.pdf"})
REACTION = envelope(type="reaction", reaction={"message_id": "wamid.A", "emoji": ""})
VALID = [TEXT, BUTTONS, LIST, PRODUCT, PRODUCTS, TEMPLATE, IMAGE, AUDIO, DOCUMENT, REACTION]


def mutated(body: Json, change: Callable[[Json], object]) -> Json:
    copied = copy.deepcopy(body)
    change(copied)
    return copied


def buttons_of(body: Json) -> list[Json]:
    buttons: list[Json] = body["interactive"]["action"]["buttons"]
    return buttons


def rows_of(body: Json) -> list[Json]:
    rows: list[Json] = body["interactive"]["action"]["sections"][0]["rows"]
    return rows


def sections_of(body: Json) -> list[Json]:
    sections: list[Json] = body["interactive"]["action"]["sections"]
    return sections


REFUSED: list[tuple[str, Json, int]] = [
    ("no messaging_product", mutated(TEXT, lambda b: b.pop("messaging_product")), 100),
    ("no recipient", mutated(TEXT, lambda b: b.pop("to")), 100),
    ("unknown type", mutated(TEXT, lambda b: b.update(type="hologram")), 100),
    ("empty text", mutated(TEXT, lambda b: b["text"].update(body="  ")), 100),
    ("text over 4096", mutated(TEXT, lambda b: b["text"].update(body="x" * 4097)), 131009),
    (
        "four buttons",
        mutated(BUTTONS, lambda b: buttons_of(b).extend(copy.deepcopy(buttons_of(b)))),
        131009,
    ),
    (
        "button title over 20",
        mutated(BUTTONS, lambda b: buttons_of(b)[0]["reply"].update(title="x" * 21)),
        131009,
    ),
    (
        "button id over 256",
        mutated(BUTTONS, lambda b: buttons_of(b)[0]["reply"].update(id="x" * 257)),
        131009,
    ),
    (
        "padded button id",
        mutated(BUTTONS, lambda b: buttons_of(b)[0]["reply"].update(id=" /a")),
        131009,
    ),
    (
        "duplicate button titles",
        mutated(BUTTONS, lambda b: buttons_of(b)[1]["reply"].update(title="A")),
        131009,
    ),
    (
        "interactive body over 1024",
        mutated(BUTTONS, lambda b: b["interactive"].update(body={"text": "x" * 1025})),
        131009,
    ),
    (
        "header over 60",
        mutated(
            BUTTONS, lambda b: b["interactive"].update(header={"type": "text", "text": "x" * 61})
        ),
        131009,
    ),
    (
        "footer over 60",
        mutated(BUTTONS, lambda b: b["interactive"].update(footer={"text": "x" * 61})),
        131009,
    ),
    (
        "eleven rows",
        mutated(
            LIST, lambda b: rows_of(b).extend({"id": f"r{n}", "title": "r"} for n in range(10))
        ),
        131009,
    ),
    (
        "eleven sections",
        mutated(
            LIST,
            lambda b: b["interactive"]["action"].update(
                sections=[
                    {"title": f"{n}", "rows": [{"id": f"{n}", "title": "t"}]} for n in range(11)
                ]
            ),
        ),
        131009,
    ),
    (
        "twelve rows across two sections",
        mutated(
            LIST,
            lambda b: [
                section["rows"].extend({"id": f"{i}-{n}", "title": "r"} for n in range(5))
                for i, section in enumerate(sections_of(b))
            ],
        ),
        131009,
    ),
    (
        "list header that is an image",
        mutated(
            LIST, lambda b: b["interactive"].update(header={"type": "image", "image": {"id": "1"}})
        ),
        131009,
    ),
    ("untitled section of two", mutated(LIST, lambda b: sections_of(b)[0].pop("title")), 100),
    (
        "section title over 24",
        mutated(LIST, lambda b: sections_of(b)[0].update(title="x" * 25)),
        131009,
    ),
    ("row title over 24", mutated(LIST, lambda b: rows_of(b)[0].update(title="x" * 25)), 131009),
    (
        "row description over 72",
        mutated(LIST, lambda b: rows_of(b)[0].update(description="x" * 73)),
        131009,
    ),
    ("row id over 200", mutated(LIST, lambda b: rows_of(b)[0].update(id="x" * 201)), 131009),
    (
        "duplicate row ids",
        mutated(LIST, lambda b: sections_of(b)[1]["rows"][0].update(id="1")),
        131009,
    ),
    (
        "list button over 20",
        mutated(LIST, lambda b: b["interactive"]["action"].update(button="x" * 21)),
        131009,
    ),
    (
        "product without sku",
        mutated(PRODUCT, lambda b: b["interactive"]["action"].pop("product_retailer_id")),
        100,
    ),
    (
        "product list without header",
        mutated(PRODUCTS, lambda b: b["interactive"].pop("header")),
        100,
    ),
    ("product list without body", mutated(PRODUCTS, lambda b: b["interactive"].pop("body")), 100),
    (
        "31 products",
        mutated(
            PRODUCTS,
            lambda b: sections_of(b)[0].update(
                product_items=[{"product_retailer_id": f"P{n}"} for n in range(31)]
            ),
        ),
        131009,
    ),
    ("template without language", mutated(TEMPLATE, lambda b: b["template"].pop("language")), 100),
    (
        "template parameter with a line break",
        mutated(
            TEMPLATE, lambda b: b["template"]["components"][0]["parameters"][0].update(text="a\nb")
        ),
        131009,
    ),
    ("image with id and link", mutated(IMAGE, lambda b: b["image"].update(id="1")), 100),
    ("image with neither", mutated(IMAGE, lambda b: b["image"].pop("link")), 100),
    ("caption over 1024", mutated(IMAGE, lambda b: b["image"].update(caption="x" * 1025)), 131009),
    ("caption on audio", mutated(AUDIO, lambda b: b["audio"].update(caption="hi")), 100),
    ("filename on an image", mutated(IMAGE, lambda b: b["image"].update(filename="a.jpg")), 100),
    (
        "link that is not http",
        mutated(IMAGE, lambda b: b["image"].update(link="ftp://x/y")),
        131009,
    ),
    ("reaction without message", mutated(REACTION, lambda b: b["reaction"].pop("message_id")), 100),
]


@pytest.mark.parametrize(
    "body", VALID, ids=lambda body: body["type"] + str(body.get("interactive", {}).get("type", ""))
)
def test_documented_bodies_are_accepted(body: Json) -> None:
    assert validate(body) is None


@pytest.mark.parametrize(
    ("body", "code"),
    [(body, code) for _, body, code in REFUSED],
    ids=[name for name, _, _ in REFUSED],
)
def test_what_meta_refuses_is_refused_with_its_code(body: Json, code: int) -> None:
    refusal = validate(body)
    assert refusal is not None
    assert refusal.code == code
    assert refusal.message.startswith(f"(#{code})")


@pytest.fixture
def fake() -> GraphFake:
    graph = GraphFake()
    graph.register(PHONE, TOKEN)
    return graph


@pytest.fixture
async def http(fake: GraphFake) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fake.app())
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://graph.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        yield client


async def test_a_refused_body_answers_meta_s_error_shape_and_is_not_recorded(
    http: httpx.AsyncClient, fake: GraphFake
) -> None:
    response = await http.post(URL, json=REFUSED[4][1])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 131009
    assert error["type"] == "OAuthException"
    assert "4096" in error["error_data"]["details"]
    assert error["fbtrace_id"]
    assert fake.sent == []


async def test_fail_next_answers_the_next_sends_then_recovers(
    http: httpx.AsyncClient, fake: GraphFake
) -> None:
    fake.fail_next(130429, count=2, status=429, subcode=2494055)
    first = await http.post(URL, json=TEXT)
    second = await http.post(URL, json=TEXT)
    third = await http.post(URL, json=TEXT)
    assert [r.status_code for r in (first, second, third)] == [429, 429, 200]
    error = first.json()["error"]
    assert (error["code"], error["error_subcode"]) == (130429, 2494055)
    assert error["message"].startswith("(#130429)")
    assert len(fake.sent) == 1


async def test_failures_are_used_in_order_and_only_by_their_kind(
    http: httpx.AsyncClient, fake: GraphFake
) -> None:
    fake.fail_next(131000, status=500, on="read")
    fake.fail_next(131047, message="Re-engagement message", details="more than 24 hours")
    fake.fail_next(131026)
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN"}
    codes = []
    for body in (TEXT, TEXT, read, read, TEXT):
        response = await http.post(URL, json=body)
        codes.append(response.json().get("error", {}).get("code", response.status_code))
    assert codes == [131047, 131026, 131000, 200, 200]


async def test_the_token_is_checked_before_any_injected_failure(
    http: httpx.AsyncClient, fake: GraphFake
) -> None:
    fake.fail_next(131047)
    response = await http.post(URL, json=TEXT, headers={"Authorization": "Bearer wrong"})
    assert response.json()["error"]["code"] == 190
    assert (await http.post(URL, json=TEXT)).json()["error"]["code"] == 131047


async def test_read_receipts_are_kept_apart_and_checked(
    http: httpx.AsyncClient, fake: GraphFake
) -> None:
    read = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
        "typing_indicator": {"type": "text"},
    }
    assert (await http.post(URL, json=read)).json() == {"success": True}
    bad = {**read, "typing_indicator": {"type": "voice"}}
    assert (await http.post(URL, json=bad)).status_code == 400
    assert [(r.message_id, r.typing) for r in fake.reads] == [("wamid.IN", True)]
    assert fake.sent == []


async def test_wait_for_still_sees_sends(http: httpx.AsyncClient, fake: GraphFake) -> None:
    waiter = asyncio.create_task(fake.wait_for(2, to=TO, timeout=5))
    await asyncio.sleep(0)
    for body in VALID[:2]:
        assert (await http.post(URL, json=body)).status_code == 200
    records = await waiter
    assert [record.body for record in records] == VALID[:2]


async def test_a_body_that_is_not_json_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        URL, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
