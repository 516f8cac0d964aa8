"""One HTTP call to a gateway, with transport failures translated at the boundary.

Bodies are parsed with ``parse_float=Decimal`` so amounts in rand (Ozow answers numbers)
never pass through binary floating point.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

from commerce.payments.errors import GatewayUnavailable, GatewayUnreachable

__all__ = ["call", "header_value", "parse_json"]


def parse_json(content: bytes) -> Any:
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return None


async def call(
    http: httpx.AsyncClient,
    gateway: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any = None,
    params: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send one request; return (status, parsed body or None).

    Raises `GatewayUnreachable` when nothing answered and `GatewayUnavailable` on 5xx and 429
    (both retryable). Other statuses are the caller's to interpret. Messages never include
    headers, which carry the keys.
    """
    try:
        response = await http.request(method, url, headers=headers, json=json_body, params=params)
    except httpx.HTTPError as exc:
        raise GatewayUnreachable(
            f"{gateway} did not answer {method} {url} ({type(exc).__name__}: {exc}); "
            "retry later, or check the gateway's base URL setting",
            gateway=gateway,
        ) from exc
    status = response.status_code
    if status >= 500 or status == 429:
        raise GatewayUnavailable(
            f"{gateway} answered HTTP {status} to {method} {url}; retry later with backoff",
            gateway=gateway,
            status=status,
        )
    return status, parse_json(response.content)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name, from Starlette's `Headers` or a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)
