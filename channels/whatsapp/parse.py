"""Split a WhatsApp Cloud API webhook body into typed events.

Meta sends one body shape for everything: `entry[].changes[]`, each with a `field` name and a
`value`. For `field == "messages"` the value holds `messages[]`, `statuses[]` and/or
`errors[]`; other fields (template updates, user preferences, ...) are acknowledged and
ignored. Message kinds are parsed in `_parse_messages`, one small function per type.

Parsing is tolerant by design: Meta adds kinds without notice and retries a failed delivery
for days, so anything we do not understand becomes an `UnknownEvent` with a warning on the
"wakala.whatsapp" logger (extra: kind, field) instead of an exception that would make the
webhook answer 500 forever. Only a body that is not a webhook at all raises `PayloadError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from channels.whatsapp._parse_common import (
    PARSE_ERRORS,
    Json,
    as_map,
    describe,
    error_details,
    logger,
    opt_str,
    pick,
    unknown,
)
from channels.whatsapp._parse_messages import parse_message
from channels.whatsapp.errors import PayloadError
from channels.whatsapp.events import (
    Conversation,
    ErrorEvent,
    IgnoredEvent,
    Pricing,
    StatusEvent,
    WebhookEvent,
)

__all__ = ["IGNORED_FIELDS", "parse_webhook"]

# Fields a WhatsApp Business Account webhook carries besides "messages". Meta allows one
# callback URL per app, so they arrive here if subscribed; we acknowledge them. A field not
# listed is new to us and becomes an UnknownEvent, so someone notices.
IGNORED_FIELDS = frozenset(
    {
        "account_alerts",
        "account_review_update",
        "account_update",
        "automatic_events",
        "business_capability_update",
        "business_status_update",
        "calls",
        "flows",
        "history",
        "message_template_components_update",
        "message_template_quality_update",
        "message_template_status_update",
        "partner_solutions",
        "payment_configuration_update",
        "phone_number_name_update",
        "phone_number_quality_update",
        "security",
        "smb_app_state_sync",
        "smb_message_echoes",
        "template_category_update",
        "user_preferences",
    }
)


def parse_webhook(body: Mapping[str, Any]) -> list[WebhookEvent]:
    """Return every event in a webhook body, in body order; unknown kinds do not raise."""
    if not isinstance(body, Mapping):
        raise PayloadError(f"a webhook body must be a JSON object, got {type(body).__name__}")
    try:
        body = _without_lone_surrogates(body)
    except RecursionError as exc:
        raise PayloadError("the webhook body is nested too deeply") from exc
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise PayloadError(
            "a WhatsApp webhook body needs an 'entry' list "
            f"(object={body.get('object')!r}); is the app subscribed to another product?"
        )
    events: list[WebhookEvent] = []
    for entry in map(as_map, entries):
        changes = entry.get("changes")
        if not isinstance(changes, list):
            events.append(unknown("entry has no 'changes' list", field=None, raw=entry))
            continue
        for change in changes:
            events += _parse_change(as_map(change), account_id=opt_str(entry.get("id")))
    return events


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(node: Any) -> Any:
    """JSON may escape half an emoji (`"\\ud83d"`, a client cutting UTF-16); Python decodes it
    to a lone surrogate that no UTF-8 writer (the bus, the logs, PostgreSQL) accepts. Such a
    character becomes U+FFFD, as a decoder replaces any broken sequence."""
    if isinstance(node, str):
        return _LONE_SURROGATE.sub("\ufffd", node) if _LONE_SURROGATE.search(node) else node
    if isinstance(node, list):
        return [_without_lone_surrogates(item) for item in node]
    if isinstance(node, Mapping):
        return {
            _without_lone_surrogates(key): _without_lone_surrogates(value)
            for key, value in node.items()
        }
    return node


def _parse_change(change: Json, account_id: str | None) -> list[WebhookEvent]:
    field, value = change.get("field"), change.get("value")
    if not isinstance(field, str) or not isinstance(value, Mapping):
        reason = "change needs a 'field' string and a 'value' object"
        return [unknown(reason, field=opt_str(field), raw=change)]
    if field == "messages":
        return _parse_messages_value(value)
    phone_number_id = opt_str(as_map(value.get("metadata")).get("phone_number_id"))
    if field in IGNORED_FIELDS:
        logger.debug("ignoring webhook field %s", field, extra={"kind": "ignored", "field": field})
        event = IgnoredEvent(
            field=field, business_account_id=account_id, phone_number_id=phone_number_id
        )
        return [event]
    reason = f"unknown webhook field {field!r}"
    return [unknown(reason, field=field, raw=value, phone_number_id=phone_number_id)]


def _parse_messages_value(value: Json) -> list[WebhookEvent]:
    metadata = as_map(value.get("metadata"))
    messages, statuses = value.get("messages", []), value.get("statuses", [])
    events: list[WebhookEvent] = []
    if isinstance(messages, list):
        events += [parse_message(message, value) for message in messages]
    if isinstance(statuses, list):
        events += [_parse_status(status, metadata) for status in statuses]
    if "errors" in value:
        events.append(_parse_value_errors(value.get("errors"), metadata))
    if not (isinstance(messages, list) and isinstance(statuses, list) and events):
        events.append(
            unknown(
                "a 'messages' change needs a messages, statuses or errors list",
                raw=value,
                phone_number_id=opt_str(metadata.get("phone_number_id")),
            )
        )
    return events


def _parse_status(raw: object, metadata: Json) -> WebhookEvent:
    status = as_map(raw)
    conversation = as_map(status.get("conversation"))
    try:
        return StatusEvent(
            phone_number_id=metadata.get("phone_number_id"),
            display_phone_number=metadata.get("display_phone_number"),
            message_id=status.get("id"),
            status=status.get("status"),
            timestamp=status.get("timestamp"),
            recipient_id=status.get("recipient_id"),
            recipient_user_id=status.get("recipient_user_id"),
            parent_recipient_user_id=status.get("parent_recipient_user_id"),
            conversation=Conversation(
                id=conversation.get("id"),
                expiration_timestamp=conversation.get("expiration_timestamp"),
                origin_type=as_map(conversation.get("origin")).get("type"),
            )
            if conversation
            else None,
            pricing=pick(Pricing, status["pricing"]) if "pricing" in status else None,
            errors=error_details(status.get("errors")),
            biz_opaque_callback_data=status.get("biz_opaque_callback_data"),
        )
    except PARSE_ERRORS as exc:
        return unknown(
            f"malformed status: {describe(exc)}",
            raw_type="status",
            raw=raw,
            phone_number_id=opt_str(metadata.get("phone_number_id")),
            message_id=opt_str(status.get("id")),
        )


def _parse_value_errors(raw: object, metadata: Json) -> WebhookEvent:
    phone_number_id = opt_str(metadata.get("phone_number_id"))
    try:
        errors = error_details(raw)
    except PARSE_ERRORS as exc:
        reason = f"malformed errors: {describe(exc)}"
        return unknown(reason, raw_type="errors", raw=raw, phone_number_id=phone_number_id)
    # Meta reports a problem with the whole change here, not with one message: worth a look.
    logger.warning(
        "Meta reported webhook errors %s",
        [error.code for error in errors],
        extra={"kind": "error", "field": "messages", "phone_number_id": phone_number_id},
    )
    return ErrorEvent(
        phone_number_id=phone_number_id,
        display_phone_number=opt_str(metadata.get("display_phone_number")),
        errors=errors,
    )
