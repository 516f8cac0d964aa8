"""Prometheus metrics. One registry per process; every HTTP service exposes it at /metrics,
and processes without HTTP (a lone worker or sender) serve it on WAKALA_METRICS_PORT."""

from __future__ import annotations

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

WEBHOOKS = Counter(
    "wakala_webhook_requests_total", "Webhook POSTs by answer", ["status"], registry=REGISTRY
)
WEBHOOK_SECONDS = Histogram(
    "wakala_webhook_seconds", "Webhook POST handling time", buckets=FAST, registry=REGISTRY
)
PUBLISHED = Counter(
    "wakala_messages_published_total", "Messages put on the bus", ["topic"], registry=REGISTRY
)
TURNS = Counter("wakala_turns_total", "Turns by outcome", ["outcome"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "wakala_turn_seconds",
    "Worker time per turn (queue to replies enqueued)",
    buckets=FAST,
    registry=REGISTRY,
)
NLU_SECONDS = Histogram(
    "wakala_nlu_seconds", "NLU parse call time", buckets=FAST, registry=REGISTRY
)
NLU_BATCH = Histogram(
    "wakala_nlu_batch_size",
    "Texts per NLU call",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
    registry=REGISTRY,
)
ACTION_SECONDS = Histogram(
    "wakala_action_seconds",
    "Action server call time",
    ["action"],
    buckets=FAST,
    registry=REGISTRY,
)
SENDS = Counter("wakala_sends_total", "Graph API sends by result", ["result"], registry=REGISTRY)
SEND_ERRORS = Counter(
    "wakala_send_errors_total", "Graph API errors by Meta's code", ["code"], registry=REGISTRY
)
SEND_SECONDS = Histogram(
    "wakala_send_seconds", "Graph API send time", buckets=FAST, registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "wakala_dead_letters_total",
    "Messages parked in the dead-letter queue",
    ["topic"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "wakala_queue_depth", "Messages waiting per topic (all shards)", ["topic"], registry=REGISTRY
)
IN_FLIGHT = Gauge("wakala_in_flight", "Messages being handled now", ["topic"], registry=REGISTRY)


def metrics_response() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def add_metrics(app: FastAPI) -> FastAPI:
    """GET /metrics on an app (the whole process's registry)."""
    app.add_api_route("/metrics", metrics_response, methods=["GET"], include_in_schema=False)
    return app
