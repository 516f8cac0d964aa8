"""Engine behaviour the conversations rely on: digressions resume, the two-stage fallback,
locked and silent states, slots set by flows."""

from __future__ import annotations

import pytest

from dialogue.engine import Engine, TurnFacts
from dialogue.errors import FlowError
from dialogue.flows import FlowSpec
from dialogue.state import ConversationState

MAIN = FlowSpec.model_validate(
    {
        "name": "main",
        "initial": "consent",
        "states": [
            {"name": "consent", "locked": True, "fallback": ["utter_consent"]},
            "start",
            {"name": "handoff", "locked": True, "silent": True},
        ],
        "transitions": [
            {"trigger": "consent_yes", "source": "consent", "dest": "start", "do": ["utter_greet"]},
            {
                "trigger": "opt_out",
                "source": ["*", "consent"],
                "dest": "start",
                "do": ["utter_bye"],
            },
            {"trigger": "help", "do": ["utter_help"], "resume": True},
            {"trigger": "human_handoff", "dest": "handoff", "do": ["action_handoff"]},
        ],
        "fallback": {"do": ["action_clarify"], "then": ["utter_fallback_help"]},
    }
)
CHECKOUT = FlowSpec.model_validate(
    {
        "name": "checkout",
        "states": [
            {"name": "checkout_address", "prompt": "utter_ask_address", "capture": "address"},
            {"name": "checkout_payment", "prompt": "utter_ask_payment"},
        ],
        "transitions": [
            {"trigger": "checkout", "dest": "checkout_address", "do": ["utter_ask_address"]},
            {
                "trigger": "captured",
                "source": "checkout_address",
                "dest": "checkout_payment",
                "set": {"address": "$address", "fulfilment": "delivery"},
                "clear": ["coupon"],
                "do": ["utter_ask_payment"],
            },
        ],
    }
)


@pytest.fixture
def engine() -> Engine:
    return Engine([MAIN, CHECKOUT])


def at(state: str) -> ConversationState:
    return ConversationState(state=state)


def test_flows_from_several_files_make_one_machine(engine: Engine) -> None:
    result = engine.step(at("start"), TurnFacts(trigger="checkout"))
    assert (result.state.state, result.effects) == ("checkout_address", ("utter_ask_address",))


def test_a_digression_answers_then_asks_again_where_the_shopper_was(engine: Engine) -> None:
    result = engine.step(at("checkout_payment"), TurnFacts(trigger="help"))
    assert result.state.state == "checkout_payment"
    assert result.effects == ("utter_help", "utter_ask_payment")


def test_a_digression_from_a_state_without_a_prompt_just_answers(engine: Engine) -> None:
    assert engine.step(at("start"), TurnFacts(trigger="help")).effects == ("utter_help",)


def test_the_fallback_clarifies_first_then_offers_help(engine: Engine) -> None:
    first = engine.step(at("start"), TurnFacts(trigger="gibberish"))
    assert first.effects == ("action_clarify",)
    second = engine.step(first.state, TurnFacts(trigger="gibberish"))
    assert second.effects == ("utter_fallback_help",)
    third = engine.step(second.state, TurnFacts(trigger="gibberish"))
    assert third.effects == ("action_clarify",)  # and round again


def test_a_match_resets_the_fallback_count(engine: Engine) -> None:
    missed = engine.step(at("start"), TurnFacts(trigger="gibberish")).state
    helped = engine.step(missed, TurnFacts(trigger="help")).state
    assert engine.step(helped, TurnFacts(trigger="gibberish")).effects == ("action_clarify",)


def test_wildcard_transitions_skip_locked_states(engine: Engine) -> None:
    # "help" is from "*": in the consent state it is the state's own fallback instead.
    result = engine.step(at("consent"), TurnFacts(trigger="help"))
    assert (result.state.state, result.effects) == ("consent", ("utter_consent",))


def test_a_locked_state_named_explicitly_still_takes_the_transition(engine: Engine) -> None:
    result = engine.step(at("consent"), TurnFacts(trigger="opt_out"))
    assert (result.state.state, result.effects) == ("start", ("utter_bye",))


def test_a_silent_state_answers_nothing(engine: Engine) -> None:
    result = engine.step(at("handoff"), TurnFacts(trigger="greet"))
    assert (result.state.state, result.effects, result.matched) == ("handoff", (), False)


def test_flows_set_and_clear_slots_from_the_message(engine: Engine) -> None:
    facts = TurnFacts(trigger="captured", entities={"address": "12 Vilakazi St"})
    result = engine.step(at("checkout_address"), facts)
    assert dict(result.slots) == {
        "coupon": None,
        "address": "12 Vilakazi St",
        "fulfilment": "delivery",
    }


def test_the_state_spec_tells_what_to_capture(engine: Engine) -> None:
    assert engine.state_spec("checkout_address").capture == "address"
    assert engine.state_spec("no_such_state").name == "consent"  # unknown → initial


def test_a_negated_guard() -> None:
    flow = FlowSpec.model_validate(
        {
            "name": "m",
            "initial": "start",
            "states": ["start"],
            "transitions": [
                {"trigger": "daily_summary", "conditions": ["!is_staff"], "do": ["utter_no"]},
                {"trigger": "daily_summary", "do": ["action_daily_summary"]},
            ],
        }
    )
    engine = Engine(flow, {"is_staff": lambda facts: facts.is_staff})
    assert engine.step(at("start"), TurnFacts(trigger="daily_summary")).effects == ("utter_no",)
    staff = TurnFacts(trigger="daily_summary", is_staff=True)
    assert engine.step(at("start"), staff).effects == ("action_daily_summary",)


def test_two_initial_states_are_refused() -> None:
    other = MAIN.model_copy(update={"name": "other", "states": ["elsewhere"], "transitions": []})
    with pytest.raises(FlowError, match="exactly one flow must name the initial state"):
        Engine([MAIN, other])
