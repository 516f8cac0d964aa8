"""Helpers shared by the webhook parsers: tolerant JSON access and the UNKNOWN fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from channels.whatsapp.events import ErrorDetail, Sender, UnknownEvent

logger = logging.getLogger("wakala.whatsapp")

Json = Mapping[str, Any]
# What a malformed part of a body raises while we build events from it: pydantic's
# ValidationError (a ValueError) for wrong or missing fields, TypeError for odd shapes.
PARSE_ERRORS = (ValidationError, ValueError, TypeError)

_M = TypeVar("_M", bound=BaseModel)


def unknown(
    reason: str,
    *,
    field: str | None = "messages",
    raw_type: str | None = None,
    raw: object = None,
    phone_number_id: str | None = None,
    message_id: str | None = None,
    sender: Sender | None = None,
) -> UnknownEvent:
    """Log a structured warning and return the UNKNOWN event that stands for `raw`."""
    logger.warning(
        "unhandled WhatsApp webhook content: %s",
        reason,
        extra={
            "kind": raw_type,
            "field": field,
            "phone_number_id": phone_number_id,
            "message_id": message_id,
        },
    )
    return UnknownEvent(
        field=field,
        raw_type=raw_type,
        reason=reason,
        phone_number_id=phone_number_id,
        message_id=message_id,
        sender=sender,
        raw=raw,
    )


def describe(exc: Exception) -> str:
    """Name the fields that failed, without echoing their values (they may be user text)."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        )
    return f"{type(exc).__name__}: {exc}"


def pick(model: type[_M], raw: object) -> _M:
    """Build `model` from the keys of `raw` it declares; Meta adds keys we must not fail on."""
    source = as_map(raw)
    return model(**{name: source[name] for name in model.model_fields if name in source})


def error_details(raw: object) -> tuple[ErrorDetail, ...]:
    return tuple(
        ErrorDetail(
            code=error.get("code"),
            title=error.get("title"),
            message=error.get("message"),
            details=as_map(error.get("error_data")).get("details"),
            href=error.get("href"),
        )
        for error in maps(raw)
    )


def as_map(raw: object) -> Json:
    return raw if isinstance(raw, Mapping) else {}


def maps(raw: object) -> Iterator[Json]:
    """The objects of a JSON list; a non-list is empty and a non-object item counts as {}."""
    if isinstance(raw, list):
        yield from (as_map(item) for item in raw)


def opt_str(raw: object) -> str | None:
    return raw if isinstance(raw, str) else None
