"""Alembic environment: run migrations over a synchronous connection given by `migrate.py`."""

from __future__ import annotations

from alembic import context

from commerce.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise RuntimeError("run migrations with `wakala db migrate`, which supplies the connection")

context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
