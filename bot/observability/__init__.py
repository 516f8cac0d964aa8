"""Metrics (Prometheus), traces (OpenTelemetry) and correlation ids for logs."""
