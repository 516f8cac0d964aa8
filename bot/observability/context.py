"""The correlation id of the work in hand (the inbound message id), for every log line."""

from __future__ import annotations

import contextvars
import logging

CORRELATION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wakala_correlation", default=None
)


class CorrelationFilter(logging.Filter):
    """Adds `correlation_id` (and the trace id, when a span is active) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        correlation = CORRELATION.get()
        if correlation and not hasattr(record, "correlation_id"):
            record.correlation_id = correlation
        from opentelemetry import trace

        span = trace.get_current_span().get_span_context()
        if span.is_valid and not hasattr(record, "trace_id"):
            record.trace_id = format(span.trace_id, "032x")
        return True
