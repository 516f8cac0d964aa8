"""Running a step's effects: responses are rendered here, local actions run in the worker,
the rest go to the action server (Rasa's protocol). Slots flow through in order: what an
action sets, the next effect sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.actions_client import ActionsClient
from bot.directory import Shop
from bot.local_actions import HANDOFF_SECONDS, LOCAL_ACTIONS, LocalContext, PaymentLinks
from bot.store.base import Store
from bot.understanding import Understanding
from dialogue.messages import InboundMessage, OutboundEnvelope, OutgoingMessage
from dialogue.responses import Responses

# Slots that describe the turn, not the conversation: sent to actions, never stored.
TURN_SLOTS = frozenset({"tenant_id", "shop_name", "shop_is_open"})


@dataclass
class Outcome:
    replies: list[OutgoingMessage] = field(default_factory=list)
    others: list[OutboundEnvelope] = field(default_factory=list)


class Effects:
    def __init__(
        self,
        actions: ActionsClient,
        responses: Responses,
        store: Store,
        *,
        handoff_seconds: float = HANDOFF_SECONDS,
        payments: PaymentLinks | None = None,
    ) -> None:
        self.actions = actions
        self.responses = responses
        self.store = store
        self.handoff_seconds = handoff_seconds
        self.payments = payments

    async def run(
        self,
        names: tuple[str, ...],
        *,
        message: InboundMessage,
        shop: Shop,
        slots: dict[str, Any],
        understanding: Understanding,
    ) -> Outcome:
        """Run effects in order, updating `slots` in place."""
        outcome = Outcome()
        for name in names:
            language = str(slots.get("language") or shop.default_language)
            if name.startswith("utter_"):
                outcome.replies.append(self.responses.render(name, language, slots))
            elif name in LOCAL_ACTIONS:
                context = LocalContext(
                    message,
                    shop,
                    slots,
                    understanding,
                    self.responses,
                    self.store,
                    self.handoff_seconds,
                    self.payments,
                )
                result = await LOCAL_ACTIONS[name](context)
                slots.update(result.slots)
                outcome.replies.extend(result.replies)
                outcome.others.extend(result.others)
            else:
                outcome.replies.extend(await self._remote(name, message, slots, understanding))
        return outcome

    async def _remote(
        self,
        action: str,
        message: InboundMessage,
        slots: dict[str, Any],
        understanding: Understanding,
    ) -> list[OutgoingMessage]:
        result = await self.actions.run(
            action,
            sender_id=message.sender_id,
            slots=slots,
            latest_message={
                "text": message.text,
                "intent": {"name": understanding.trigger, "confidence": understanding.confidence},
                "entities": [{"entity": k, "value": v} for k, v in understanding.entities.items()],
                "message_id": message.message_id,
            },
        )
        for event in result.get("events", []):
            if event.get("event") == "slot" and event.get("name") not in TURN_SLOTS:
                slots[str(event["name"])] = event.get("value")
        replies: list[OutgoingMessage] = []
        language = str(slots.get("language") or "en")
        for response in result.get("responses", []):
            name = response.get("response") or response.get("template")
            if not name:
                continue  # free-text responses from foreign action servers are not supported yet
            variables = {**slots, **{k: v for k, v in response.items() if k != "elements"}}
            replies.append(
                self.responses.render(str(name), language, variables, response.get("elements"))
            )
        return replies
