"""Shared test set-up. Integration tests use the real PostgreSQL, Redis and RabbitMQ on this
machine (override with WAKALA_TEST_DATABASE_URL, WAKALA_TEST_REDIS_URL, WAKALA_TEST_AMQP_URL)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
