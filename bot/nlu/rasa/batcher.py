"""Dynamic batching for the NLU service (runs under Rasa's Python 3.10).

Each graph run has a fixed cost (dask scheduling, per-component set-up, a thread hop) worth
several messages, and the app's workers send many small concurrent requests. One consumer
runs the graph; whatever requests queued up while it was busy go into the next run together,
so there is no timer and no added latency when the service is idle.

Requests are only merged when they pinned the same model, so a reload never mixes models
within one request's results.

A model the `inline` predicate accepts (the fast engine: a batch takes a millisecond or
two) is parsed on the event loop itself: a thread hop per batch, and the GIL handoffs between
the loop and a worker thread, cost more than the parse and show up as tail latency. Slow
models (Rasa's graph runtime) run on the executor, so health checks keep answering.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

Parser = Callable[[Any, Sequence[str]], list[dict[str, Any]]]


@dataclass
class _Job:
    model: Any
    texts: Sequence[str]
    future: asyncio.Future[list[dict[str, Any]]]


class ParseBatcher:
    """Coalesces concurrent parse requests into shared graph runs on one worker."""

    def __init__(
        self,
        parser: Parser,
        executor: Executor,
        max_batch_texts: int,
        inline: Callable[[Any], bool] = lambda model: False,
    ) -> None:
        self._parser = parser
        self._executor = executor
        self._inline = inline
        self._max_batch_texts = max_batch_texts
        self._queue: list[_Job] = []
        self._wakeup = asyncio.Event()
        self._consumer: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def parse(self, model: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.get_running_loop().create_task(self._consume())
        job = _Job(model, texts, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._wakeup.set()
        return await job.future

    async def close(self) -> None:
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer

    async def _consume(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                jobs = self._take_batch()
                if not jobs:
                    break
                texts = [text for job in jobs for text in job.texts]
                model = jobs[0].model
                try:
                    if self._inline(model):
                        results = self._parser(model, texts)
                    else:
                        results = await loop.run_in_executor(
                            self._executor, self._parser, model, texts
                        )
                except Exception as exc:
                    for job in jobs:
                        if not job.future.done():
                            job.future.set_exception(exc)
                    continue
                start = 0
                for job in jobs:
                    end = start + len(job.texts)
                    if not job.future.done():  # a client that hung up cancels its future
                        job.future.set_result(results[start:end])
                    start = end
                await asyncio.sleep(0)  # let the handlers of requests read meanwhile queue up

    def _take_batch(self) -> list[_Job]:
        """The oldest job plus later ones on the same model, up to the text limit."""
        self._queue = [job for job in self._queue if not job.future.done()]  # drop hang-ups
        if not self._queue:
            return []
        first = self._queue[0]
        taken, kept, size = [first], [], len(first.texts)
        for job in self._queue[1:]:
            if job.model is first.model and size + len(job.texts) <= self._max_batch_texts:
                taken.append(job)
                size += len(job.texts)
            else:
                kept.append(job)
        self._queue = kept
        return taken
