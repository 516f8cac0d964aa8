"""Operators see what happens: metrics, one trace from webhook to Graph API, correlation ids
in the logs; and a stop finishes the turns in hand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bus.rabbitmq import RabbitBus
from bot.observability import tracing
from bot.settings import Settings
from commerce.tenants import NewTenant, add_tenant
from tests.integration.conftest import delete_queues, drain
from tests.integration.pipeline import Pipeline, eventually, running_pipeline

pytestmark = pytest.mark.integration

SHOP = NewTenant(
    code="OBS-A", name="Observed", phone_number_id="400000000000001", access_token="token-obs"
)
SPANS = InMemorySpanExporter()


@pytest.fixture(scope="module")
async def pipeline(settings: Settings, admin_engine: AsyncEngine) -> AsyncIterator[Pipeline]:
    tracing.configure("wakala-test", None, SimpleSpanProcessor(SPANS))
    await add_tenant(admin_engine, SHOP)
    async with running_pipeline(settings, SHOP) as running:
        yield running


async def test_metrics_count_webhooks_turns_and_sends(pipeline: Pipeline) -> None:
    await pipeline.say("hi", sender="27850000001")
    response = await pipeline.http.get(f"{pipeline.gateway_url}/metrics")
    text = response.text
    assert response.status_code == 200
    assert 'wakala_webhook_requests_total{status="200"}' in text
    assert 'wakala_turns_total{outcome="replied"}' in text
    assert 'wakala_sends_total{result="sent"}' in text
    assert "wakala_nlu_seconds_bucket" in text
    assert 'wakala_queue_depth{topic="inbound"}' in text


async def test_one_trace_runs_from_the_webhook_to_the_graph_api(pipeline: Pipeline) -> None:
    SPANS.clear()
    await pipeline.say("hi", sender="27850000002")
    wanted = {"webhook", "turn", "nlu.parse", "send", "graph.send"}

    def traces() -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for span in SPANS.get_finished_spans():
            found.setdefault(span.context.trace_id, set()).add(span.name)
        return found

    async def whole_trace_ended() -> bool:  # the fake records the body before the call returns
        return any(wanted <= names for names in traces().values())

    await eventually(whole_trace_ended)
    # The webhook's trace is the one that reached the Graph API: one trace across the queues.
    [webhook] = [s for s in SPANS.get_finished_spans() if s.name == "webhook"]
    assert wanted <= traces()[webhook.context.trace_id]


async def test_log_lines_carry_the_message_id(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.observability.context import CorrelationFilter

    handler_filter = CorrelationFilter()
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.INFO, logger="wakala.turn"):
        await pipeline.say("hi", sender="27850000003", message_id="wamid.correlate-me")
    turns = [r for r in caplog.records if getattr(r, "event", "") == "turn.done"]
    assert [getattr(r, "correlation_id", None) for r in turns] == ["wamid.correlate-me"]
    caplog.handler.removeFilter(handler_filter)


async def test_a_stop_lets_the_turn_in_hand_finish_and_be_acked(
    amqp_url: str, namespace: str
) -> None:
    prefix = f"{namespace}-stop{uuid.uuid4().hex[:6]}"
    bus = RabbitBus(amqp_url, shards=1, prefix=prefix, drain_seconds=10)
    await bus.start()
    started, release = asyncio.Event(), asyncio.Event()
    handled: list[bytes] = []

    async def slow(body: bytes) -> None:
        started.set()
        await release.wait()  # the turn is still running when the stop comes
        handled.append(body)

    await bus.publish("inbound", "k", b"in hand")
    consuming = asyncio.create_task(bus.consume("inbound", slow))
    await started.wait()
    consuming.cancel()  # what `wakala run` does on SIGTERM, consumers first
    release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await consuming
    await bus.close()
    assert handled == [b"in hand"]
    # Finished and acked: nothing goes back to the queue to be handled twice.
    assert await drain(amqp_url, [f"{prefix}.inbound.0"]) == []
    await delete_queues(amqp_url, prefix)


async def test_every_http_service_answers_health_and_metrics(pipeline: Pipeline) -> None:
    for name in ("gateway", "actions", "admin"):
        url = pipeline.runtime.urls[name]
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{url}/metrics")).status_code == 200, name
            if name != "admin":
                assert (await http.get(f"{url}/health")).status_code == 200, name
