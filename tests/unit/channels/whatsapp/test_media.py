"""Downloading inbound media through the Graph API fake: id → URL → bytes, with a size cap."""

from __future__ import annotations

import httpx
import pytest

from bot.simulator.graph_fake import GraphFake
from channels.whatsapp.errors import InvalidRequest, MediaTooLarge
from channels.whatsapp.graph import GraphClient

PHOTO = b"\xff\xd8\xff" + bytes(range(256)) * 40  # a JPEG-ish 10 kB body


@pytest.fixture
def graph() -> tuple[GraphFake, GraphClient]:
    fake = GraphFake()
    fake.media["1037543291543636"] = ("image/jpeg", PHOTO)
    transport = httpx.ASGITransport(app=fake.app())
    client = GraphClient("http://graph.test", "v21.0", httpx.AsyncClient(transport=transport))
    return fake, client


async def test_media_is_downloaded_with_the_token(graph: tuple[GraphFake, GraphClient]) -> None:
    _, client = graph
    media = await client.download_media("1037543291543636", "token", max_bytes=1_000_000)
    assert (media.mime_type, media.content) == ("image/jpeg", PHOTO)


async def test_media_over_the_cap_is_refused(graph: tuple[GraphFake, GraphClient]) -> None:
    _, client = graph
    with pytest.raises(MediaTooLarge):
        await client.download_media("1037543291543636", "token", max_bytes=1_000)


async def test_an_unknown_media_id_is_a_graph_error(graph: tuple[GraphFake, GraphClient]) -> None:
    _, client = graph
    with pytest.raises(InvalidRequest):
        await client.download_media("404", "token", max_bytes=1_000)
