"""The Graph API fake as its own process, streaming every accepted send to the harness.

    python -m bench.e2e.graph_sink --port 8123

It is `bot.simulator.graph_fake` (Meta's protocol and refusals) plus `GET /_bench/stream`:
newline-delimited JSON, one line per recorded send (`seq`, `at` = the fake's clock when it
accepted the body, `to`, `body`), from the start, then live. The harness reads it to know
when a shopper's replies have arrived, without polling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from bot.simulator.graph_fake import GraphFake, SentRecord


class StreamingFake(GraphFake):
    """The fake, handing each recorded send to every open stream as it is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.queues: set[asyncio.Queue[SentRecord]] = set()

    async def record(self, phone_number_id: str, token: str, body: dict[str, Any]) -> SentRecord:
        record = await super().record(phone_number_id, token, body)
        for queue in self.queues:
            queue.put_nowait(record)
        return record

    async def lines(self) -> AsyncIterator[bytes]:
        queue: asyncio.Queue[SentRecord] = asyncio.Queue()
        self.queues.add(queue)
        try:
            for record in list(self.sent):  # what came before; nothing runs in between
                queue.put_nowait(record)
            while True:
                yield _line(await queue.get())
        finally:
            self.queues.discard(queue)


def _line(record: SentRecord) -> bytes:
    item = {"seq": record.seq, "at": record.at, "to": record.to, "body": record.body}
    return json.dumps(item, separators=(",", ":")).encode() + b"\n"


def create_app() -> FastAPI:
    fake = StreamingFake()
    app = FastAPI(title="Graph API fake (bench)")

    @app.get("/_bench/stream")
    async def stream() -> StreamingResponse:
        return StreamingResponse(fake.lines(), media_type="application/x-ndjson")

    app.mount("/", fake.app())  # after the stream: the fake's media route matches any path
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
