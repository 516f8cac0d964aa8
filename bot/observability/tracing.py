"""OpenTelemetry traces from the webhook to the Graph API call, across the queues.

The trace context travels inside the queued messages (W3C `traceparent`), so a worker or a
sender on another machine continues the gateway's trace. Spans go to an OTLP collector when
WAKALA_OTLP_ENDPOINT is set; otherwise tracing costs next to nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_provider: TracerProvider | None = None


def configure(service: str, otlp_endpoint: str | None, *extra: SpanProcessor) -> TracerProvider:
    """Install the tracer provider once per process (later calls add processors)."""
    global _provider  # noqa: PLW0603 - one provider per process, as OpenTelemetry wants
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": service}))
        trace.set_tracer_provider(_provider)
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")
            _provider.add_span_processor(BatchSpanProcessor(exporter))
    for processor in extra:
        _provider.add_span_processor(processor)
    return _provider


def tracer() -> trace.Tracer:
    return trace.get_tracer("wakala")


def carrier() -> dict[str, str]:
    """The current trace context, to put into a queued message."""
    found: dict[str, str] = {}
    propagate.inject(found)
    return found


@contextmanager
def continued(name: str, headers: Mapping[str, str] | None) -> Iterator[trace.Span]:
    """A span that continues the trace a queued message carries."""
    parent = propagate.extract(dict(headers or {}))
    token = context.attach(parent)
    try:
        with tracer().start_as_current_span(name) as span:
            yield span
    finally:
        context.detach(token)
