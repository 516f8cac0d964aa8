"""Which PostgreSQL to use, as which role: the admin URL migrates, the app URL serves."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bot.embedded import start_postgres
from bot.settings import Settings


def admin_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server when none is configured (development only)."""
    return settings.database_url or start_postgres(settings.data_dir)


def app_url(settings: Settings, admin: str) -> str:
    """The app's own login role (not the tables' owner), so row-level security always applies."""
    if settings.app_database_url:
        return settings.app_database_url
    url = make_url(admin).set(username=settings.app_db_role)
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
    url = url.set(password=password)
    return url.render_as_string(hide_password=False)
