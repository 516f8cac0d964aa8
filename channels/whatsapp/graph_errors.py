"""Meta's error codes mapped to the exception classes of `errors.py` (FACTS.md §5).

Build on `code` (and `error_data.details` for people), never on titles: Meta deprecates them.
The same table serves synchronous Graph answers (`graph_error`) and the error objects that
arrive later in status webhooks (`error_class`).
"""

from __future__ import annotations

from typing import Any

from channels.whatsapp.errors import (
    AccountRestricted,
    GraphError,
    GraphRejected,
    GraphUnavailable,
    InvalidRequest,
    MediaError,
    NotPermitted,
    PairRateLimited,
    RateLimited,
    TemplateError,
    TokenInvalid,
    Undeliverable,
    WindowClosed,
)

__all__ = ["CODES", "TRANSIENT_CODES", "error_class", "graph_error"]

CODES: dict[int, type[GraphError]] = {
    # transient: back off and retry
    4: RateLimited,
    80007: RateLimited,
    130429: RateLimited,
    131056: PairRateLimited,
    131000: GraphUnavailable,
    131016: GraphUnavailable,
    # the token: refresh, then resend
    190: TokenInvalid,
    # permanent
    100: InvalidRequest,
    131008: InvalidRequest,
    131009: InvalidRequest,
    131047: WindowClosed,
    131026: Undeliverable,
    131049: Undeliverable,
    131050: Undeliverable,
    130472: Undeliverable,
    131051: MediaError,
    131052: MediaError,
    131053: MediaError,
    0: NotPermitted,
    3: NotPermitted,
    10: NotPermitted,
    368: AccountRestricted,
    131031: AccountRestricted,
    130497: AccountRestricted,
    131048: AccountRestricted,  # spam rate limit: the number is flagged, no fast retry
}

TRANSIENT_CODES = frozenset(code for code, cls in CODES.items() if cls.retryable_by_default)


def error_class(code: int | None, status: int | None = None) -> type[GraphError]:
    """The class for Meta's `code` (None when absent), falling back on the HTTP status."""
    if code is not None:
        if code in CODES:
            return CODES[code]
        if 200 <= code <= 299:
            return NotPermitted
        if 132000 <= code <= 132999:
            return TemplateError
    if status == 429:
        return RateLimited
    if status is not None and status >= 500:
        return GraphUnavailable
    return GraphRejected


def graph_error(status: int, body: Any) -> GraphError:
    """The exception for a Graph API error answer: HTTP `status` and its parsed JSON `body`.

    Tolerates any body (HTML from a proxy, None when it was not JSON): what is missing is
    left None, and the class then follows the status.
    """
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = _int(error.get("code"))
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    cls = error_class(code, status)
    if cls is GraphRejected and error.get("is_transient") is True:
        cls = GraphUnavailable  # an unknown code that Meta itself calls transient
    message = str(error.get("message") or f"Graph API answered HTTP {status}")
    return cls(
        message,
        code=code or 0,
        subcode=_int(error.get("error_subcode")),
        details=str(details) if details is not None else None,
        fbtrace_id=str(error["fbtrace_id"]) if error.get("fbtrace_id") else None,
        status=status,
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
