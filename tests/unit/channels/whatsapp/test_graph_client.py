"""GraphClient against the Graph API fake (over ASGI) and against broken networks."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.simulator.graph_fake import GraphFake
from channels.whatsapp.errors import (
    GraphError,
    GraphUnavailable,
    GraphUnreachable,
    InvalidRequest,
    PairRateLimited,
    TokenInvalid,
    WindowClosed,
)
from channels.whatsapp.graph import GraphClient
from channels.whatsapp.render import render
from dialogue.messages import TextReply
from tests.unit.channels.whatsapp import outgoing

PHONE, TOKEN, TO = "PN1", "secret-token", "27820001111"


@pytest.fixture
def fake() -> GraphFake:
    graph = GraphFake()
    graph.register(PHONE, TOKEN)
    return graph


@pytest.fixture
async def client(fake: GraphFake) -> AsyncIterator[GraphClient]:
    transport = httpx.ASGITransport(app=fake.app())
    async with httpx.AsyncClient(transport=transport, base_url="http://graph.test") as http:
        yield GraphClient("http://graph.test", "v21.0", http)


def _client(handler: httpx.MockTransport) -> GraphClient:
    return GraphClient("http://graph.test", "v21.0", httpx.AsyncClient(transport=handler))


async def test_send_returns_the_wamid_and_the_fake_records_the_body(
    client: GraphClient, fake: GraphFake
) -> None:
    (body,) = render(TextReply(text="Sawubona"), TO)
    wamid = await client.send(PHONE, TOKEN, body)
    (record,) = fake.sent
    assert wamid == record.wamid
    assert record.body == body


async def test_round_trip_every_rendered_reply_is_accepted(
    client: GraphClient, fake: GraphFake
) -> None:
    rng = random.Random(2024)
    count = 0
    for _ in range(400):
        for body in render(outgoing.message(rng), TO, reply_to=rng.choice([None, "wamid.Q"])):
            await client.send(PHONE, TOKEN, body)  # raises on anything but 200
            count += 1
    assert len(fake.sent) == count
    assert {record.body["type"] for record in fake.sent} >= {
        "text",
        "interactive",
        "template",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "reaction",
    }


async def test_a_wrong_token_raises_token_invalid(client: GraphClient) -> None:
    (body,) = render(TextReply(text="hi"), TO)
    with pytest.raises(TokenInvalid) as caught:
        await client.send(PHONE, "stale", body)
    assert caught.value.refresh_token
    assert caught.value.status == 401


async def test_an_over_limit_body_raises_invalid_request(client: GraphClient) -> None:
    body = {**render(TextReply(text="hi"), TO)[0], "text": {"body": "x" * 5000}}
    with pytest.raises(InvalidRequest) as caught:
        await client.send(PHONE, TOKEN, body)
    assert caught.value.code == 131009
    assert caught.value.details
    assert caught.value.fbtrace_id == "FAKE"


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        (131047, 400, WindowClosed),
        (131056, 400, PairRateLimited),
        (131000, 500, GraphUnavailable),
        (190, 401, TokenInvalid),
    ],
)
async def test_injected_errors_come_back_as_their_class(
    client: GraphClient, fake: GraphFake, code: int, status: int, cls: type[GraphError]
) -> None:
    fake.fail_next(code, status=status)
    (body,) = render(TextReply(text="hi"), TO)
    with pytest.raises(cls) as caught:
        await client.send(PHONE, TOKEN, body)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert await client.send(PHONE, TOKEN, body)  # only the next send failed


async def test_mark_read_with_typing(client: GraphClient, fake: GraphFake) -> None:
    await client.mark_read(PHONE, TOKEN, "wamid.IN", typing=True)
    await client.mark_read(PHONE, TOKEN, "wamid.IN2", typing=False)
    assert [(r.message_id, r.typing) for r in fake.reads] == [
        ("wamid.IN", True),
        ("wamid.IN2", False),
    ]
    assert fake.sent == []  # read receipts are not replies


async def test_mark_read_failures_raise_too(client: GraphClient, fake: GraphFake) -> None:
    fake.fail_next(131000, status=500, on="read")
    with pytest.raises(GraphUnavailable):
        await client.mark_read(PHONE, TOKEN, "wamid.IN")


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
async def test_network_failures_raise_unreachable_and_retryable(exc: httpx.HTTPError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(GraphUnreachable) as caught:
        await _client(httpx.MockTransport(handler)).send(PHONE, TOKEN, {"type": "text"})
    assert caught.value.retryable
    assert caught.value.status is None
    assert caught.value.__cause__ is exc


async def test_a_5xx_html_page_is_transient() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>Bad</html>"))
    with pytest.raises(GraphUnavailable) as caught:
        await _client(transport).send(PHONE, TOKEN, {"type": "text"})
    assert caught.value.retryable


async def test_a_200_without_a_message_id_is_not_retried() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    with pytest.raises(GraphError) as caught:
        await _client(transport).send(PHONE, TOKEN, {"type": "text"})
    assert not caught.value.retryable  # Meta may have sent it: a retry could send it twice


async def test_the_request_carries_the_bearer_token_and_the_versioned_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"messages": [{"id": "wamid.X"}]})

    graph = GraphClient(
        "http://graph.test/", "v21.0", httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    assert await graph.send(PHONE, TOKEN, {"type": "text"}) == "wamid.X"
    assert seen[0].url.path == f"/v21.0/{PHONE}/messages"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
