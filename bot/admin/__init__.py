"""The operator admin API (FastAPI, OpenAPI): tenants, WhatsApp channels, staff, catalogue
import from CSV, usage per shop and the daily reconciliation. Operators authenticate with
short-lived HS256 bearer tokens (`tokens.py`); every request is rate-limited (`ratelimit.py`).
"""

from bot.admin.app import create_admin_app
from bot.admin.errors import AdminError, AdminSetupError, TokenExpired, TokenInvalid
from bot.admin.ratelimit import build_admin_throttle
from bot.admin.tokens import OperatorToken, issue_token, verify_token

__all__ = [
    "AdminError",
    "AdminSetupError",
    "OperatorToken",
    "TokenExpired",
    "TokenInvalid",
    "build_admin_throttle",
    "create_admin_app",
    "issue_token",
    "verify_token",
]
