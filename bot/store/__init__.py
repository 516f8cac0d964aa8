"""Hot state: conversation records and idempotency keys (Redis, or memory when embedded)."""
