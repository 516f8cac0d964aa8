"""The database roles the app runs as.

`wakala_tenant` is a NOLOGIN group that holds the app's privileges (granted by the migrations).
The login role the app connects with (default `wakala_app`) joins it. Neither owns a table, so
row-level security always applies to the app, and the app cannot alter or disable it.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

APP_GROUP = "wakala_tenant"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ensure_roles(conn: Connection, app_role: str, password: str | None) -> None:
    """Create the group and the app's login role if missing; set the password when given."""
    if not _ROLE_NAME.match(app_role):
        raise ValueError(f"app role name {app_role!r} must match {_ROLE_NAME.pattern}")
    existing = set(
        conn.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
            {"names": [APP_GROUP, app_role]},
        ).scalars()
    )
    if APP_GROUP not in existing:
        conn.execute(text(f"CREATE ROLE {APP_GROUP} NOLOGIN"))
    if app_role not in existing:
        conn.execute(text(f"CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS INHERIT"))
    if password:
        # A bound parameter cannot be used in ALTER ROLE; quote it as a literal instead.
        literal = "'" + password.replace("'", "''") + "'"
        conn.execute(text(f"ALTER ROLE {app_role} PASSWORD {literal}"))
    conn.execute(text(f"GRANT {APP_GROUP} TO {app_role}"))
