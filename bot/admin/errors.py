"""Errors of the operator admin API::

WakalaError
└── AdminError                  WAK030
    ├── AdminSetupError         WAK031  a secret too short, a token lifetime over 15 minutes
    └── TokenRefused            WAK032  answered 401: the bearer token cannot be accepted
        ├── TokenMissing        WAK033  no `Authorization: Bearer …` header
        ├── TokenExpired        WAK034  past its `exp`: ask for a new one
        └── TokenInvalid        WAK035  bad signature, wrong audience, too long-lived, garbled
"""

from __future__ import annotations

from bot.errors import WakalaError

__all__ = [
    "AdminError",
    "AdminSetupError",
    "TokenExpired",
    "TokenInvalid",
    "TokenMissing",
    "TokenRefused",
]


class AdminError(WakalaError):
    code = "WAK030"


class AdminSetupError(AdminError, ValueError):
    code = "WAK031"


class TokenRefused(AdminError):
    code = "WAK032"


class TokenMissing(TokenRefused):
    code = "WAK033"


class TokenExpired(TokenRefused):
    code = "WAK034"


class TokenInvalid(TokenRefused):
    code = "WAK035"
