"""The worker's own actions: language, handoff and its end, and "did you mean…?"."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.directory import Shop
from bot.local_actions import LOCAL_ACTIONS, LocalContext, handoff_over
from bot.store.memory import MemoryStore
from bot.understanding import Understanding
from dialogue.messages import ButtonsReply, InboundMessage, ListReply, TextReply
from dialogue.responses import Responses
from dialogue.state import ConversationState
from tests.conftest import ROOT

SHOP = Shop(uuid.uuid4(), "Spaza", "en", "SPAZA-1", True, frozenset({"27820000001"}))


@pytest.fixture(scope="module")
def responses() -> Responses:
    return Responses.from_domain(ROOT / "domain.yml")


def context(
    responses: Responses,
    understanding: Understanding,
    *,
    sender: str = "27831110000",
    language: str = "en",
    store: MemoryStore | None = None,
) -> LocalContext:
    message = InboundMessage(
        message_id="wamid.1",
        recipient_id="100",
        sender_id=sender,
        timestamp=int(time.time()),
        kind="text",
        text="x",
    )
    slots = {"language": language, "shop_name": SHOP.name}
    return LocalContext(message, SHOP, slots, understanding, responses, store or MemoryStore())


async def test_a_chosen_language_is_set_and_confirmed_in_it(responses: Responses) -> None:
    tap = Understanding(trigger="set_language", entities={"language": "zu"})
    result = await LOCAL_ACTIONS["action_set_language"](context(responses, tap))
    assert result.slots == {"language": "zu"}
    [reply] = result.replies
    assert isinstance(reply, TextReply)
    assert reply.text == responses.text("utter_language_set", "zu")


async def test_without_a_language_the_list_is_offered(responses: Responses) -> None:
    result = await LOCAL_ACTIONS["action_set_language"](
        context(responses, Understanding(trigger="set_language"))
    )
    assert result.slots == {}
    [reply] = result.replies
    assert isinstance(reply, ListReply)
    rows = [row.id for row in reply.sections[0].rows]
    assert rows == [f'/set_language{{"language": "{code}"}}' for code in ("en", "zu", "st")]


async def test_handoff_tells_every_staff_member_and_goes_quiet(responses: Responses) -> None:
    result = await LOCAL_ACTIONS["action_handoff"](
        context(responses, Understanding(trigger="human_handoff"))
    )
    assert isinstance(result.slots["handoff_until"], int)
    [to_staff] = result.others
    assert to_staff.to == "27820000001"
    assert isinstance(to_staff.message, ButtonsReply)
    assert to_staff.message.buttons[0].id == "resume:27831110000"
    record = ConversationState(state="handoff", slots=result.slots)
    assert not handoff_over(record, time.time())
    assert handoff_over(record, result.slots["handoff_until"] + 1)


async def test_staff_hand_a_shopper_back_to_the_bot(responses: Responses) -> None:
    store = MemoryStore()
    await store.save(
        "whatsapp:100:27831110000",
        ConversationState(state="handoff", language="st", slots={"handoff_until": 1}),
    )
    tap = Understanding(trigger="resume_customer", entities={"customer": "27831110000"})
    result = await LOCAL_ACTIONS["action_resume_customer"](
        context(responses, tap, sender="27820000001", store=store)
    )
    resumed = await store.load("whatsapp:100:27831110000")
    assert resumed is not None
    assert (resumed.state, resumed.slots) == ("start", {})
    [to_shopper] = result.others
    assert to_shopper.to == "27831110000"
    assert to_shopper.message == responses.render("utter_bot_back", "st")


async def test_clarify_offers_the_likeliest_intents_that_have_titles(responses: Responses) -> None:
    guess = Understanding(
        trigger="nlu_fallback",
        ranking=(("nlu_fallback", 0.4), ("view_cart", 0.3), ("thanks", 0.2), ("checkout", 0.1)),
    )
    result = await LOCAL_ACTIONS["action_clarify"](context(responses, guess, language="zu"))
    [reply] = result.replies
    assert isinstance(reply, ButtonsReply)
    assert [button.id for button in reply.buttons] == ["/view_cart", "/checkout"]
    assert reply.buttons[0].title == responses.text("utter_title_view_cart", "zu")


async def test_clarify_without_candidates_falls_back_to_the_default(responses: Responses) -> None:
    result = await LOCAL_ACTIONS["action_clarify"](
        context(responses, Understanding(trigger="nlu_fallback"))
    )
    assert result.replies == [
        responses.render("utter_default", "en", {"shop_name": "Spaza", "language": "en"})
    ]
