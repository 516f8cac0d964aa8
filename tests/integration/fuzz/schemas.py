"""Sending schemathesis cases through httpx's ASGI transport and judging the answers.

schemathesis draws a `Case` (positive or negative data for one operation); requests prepares
it exactly as schemathesis would send it; httpx carries it to the app in pytest's event loop;
`Case.validate_response` runs the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Fuzzed:
    client: httpx.AsyncClient
    schema: schemathesis.BaseSchema
    auth: dict[str, str]


async def send(
    target: Fuzzed,
    method: str,
    path: str,
    data: st.DataObject,
    *,
    adjust: Callable[[schemathesis.Case, st.DataObject], None] | None = None,
) -> httpx.Response:
    """Draw a case for the operation, send it, and fail unless the checks pass.

    Most cases carry the valid token (some keep whatever schemathesis made of the auth).
    `adjust` may point some cases at real data (a real shop), so requests reach past the
    lookups that answer 404.
    """
    operation = target.schema[path][method]
    mode = data.draw(st.sampled_from(list(GenerationMode)), label="mode")
    case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
    if adjust is not None:
        adjust(case, data)
    kwargs = case.as_transport_kwargs(base_url=str(target.client.base_url))
    if data.draw(st.integers(0, 9), label="token") > 0:
        kwargs["headers"] = {**kwargs["headers"], **target.auth}
    kwargs.pop("auth", None)
    prepared = requests.Request(**kwargs).prepare()
    response = await target.client.request(
        str(prepared.method),
        str(prepared.url),
        headers=dict(prepared.headers),
        content=prepared.body,
    )
    case.validate_response(response, checks=CHECKS)
    return response
