"""Shopper actions for POPIA consent: STOP (opt out) and START (opt back in).

The notice's version comes from the `privacy_notice_version` slot, so the record names the
text the shopper actually saw; without it, NOTICE_VERSION (keep it in step with domain.yml).

Responses (domain.yml):
  utter_opted_out   -
  utter_opted_in    -
"""

from __future__ import annotations

from actions import tracker
from actions.protocol import ActionResponse, utter
from actions.registry import ActionContext, registry
from commerce import consent

NOTICE_VERSION = "2026-11"


def _version(ctx: ActionContext) -> str:
    return tracker.text_slot(ctx, "privacy_notice_version") or NOTICE_VERSION


def _evidence(ctx: ActionContext) -> str | None:
    found = ctx.call.tracker.latest_message.get("message_id")
    return str(found) if found else None


@registry.register("action_opt_out")
async def opt_out(ctx: ActionContext) -> ActionResponse:
    await consent.opt_out(
        ctx.engine,
        ctx.tenant_id,
        tracker.user_key(ctx),
        text_version=_version(ctx),
        evidence=_evidence(ctx),
    )
    return ActionResponse(responses=[utter("utter_opted_out")])


@registry.register("action_opt_in")
async def opt_in(ctx: ActionContext) -> ActionResponse:
    await consent.record_consent(
        ctx.engine,
        ctx.tenant_id,
        tracker.user_key(ctx),
        "messages",
        granted=True,
        text_version=_version(ctx),
        evidence=_evidence(ctx),
    )
    return ActionResponse(responses=[utter("utter_opted_in")])
