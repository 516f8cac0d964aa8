"""Bring a database to the newest schema: roles first, then alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from commerce.db import create_engine
from commerce.roles import ensure_roles

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


# Processes started together all migrate; one lock makes them take turns (the others then
# find nothing to do) instead of racing on the role's password ("tuple concurrently updated").
MIGRATION_LOCK = 0x57414B41  # "WAKA"


def _upgrade(conn: Connection, app_role: str, app_password: str | None) -> str:
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    ensure_roles(conn, app_role, app_password)
    command.upgrade(alembic_config(conn), "head")
    return str(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one())


async def upgrade(database_url: str, *, app_role: str, app_password: str | None) -> str:
    """Migrate to head and return the revision the database is at."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(_upgrade, app_role, app_password)
    finally:
        await engine.dispose()
