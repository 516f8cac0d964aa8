from pathlib import Path

import pytest

from dialogue.engine import Engine, TurnFacts
from dialogue.errors import FlowError
from dialogue.flows import FlowSpec, load_flow, load_flows
from dialogue.state import ConversationState

ROOT = Path(__file__).resolve().parents[3]

FLOW = FlowSpec.model_validate(
    {
        "name": "test",
        "initial": "start",
        "states": ["start", "browsing", "staff_menu"],
        "transitions": [
            {"trigger": "greet", "source": "*", "dest": "start", "do": ["utter_greet"]},
            {
                "trigger": "browse_catalog",
                "source": "start",
                "dest": "browsing",
                "do": ["action_list_products", "utter_more"],
            },
            {"trigger": "help", "source": "*", "dest": "=", "do": ["utter_help"]},
            {
                "trigger": "daily_summary",
                "source": "*",
                "dest": "staff_menu",
                "conditions": ["is_staff"],
                "do": ["action_daily_summary"],
            },
        ],
        "fallback": {"do": ["utter_default"]},
    }
)


@pytest.fixture
def engine() -> Engine:
    return Engine(FLOW, guards={"is_staff": lambda facts: facts.is_staff})


def test_a_transition_moves_state_and_lists_effects_in_order(engine: Engine) -> None:
    result = engine.step(engine.initial_state(), TurnFacts(trigger="browse_catalog"))
    assert result.matched
    assert result.state.state == "browsing"
    assert result.effects == ("action_list_products", "utter_more")


def test_stay_keeps_the_state(engine: Engine) -> None:
    record = ConversationState(state="browsing")
    result = engine.step(record, TurnFacts(trigger="help"))
    assert result.state.state == "browsing"
    assert result.effects == ("utter_help",)


def test_a_trigger_without_a_transition_from_here_falls_back(engine: Engine) -> None:
    record = ConversationState(state="browsing")
    result = engine.step(record, TurnFacts(trigger="browse_catalog"))
    assert not result.matched
    assert result.state.state == "browsing"
    assert result.effects == ("utter_default",)


def test_an_unknown_trigger_falls_back(engine: Engine) -> None:
    result = engine.step(engine.initial_state(), TurnFacts(trigger="no_such_intent"))
    assert (result.matched, result.effects) == (False, ("utter_default",))


def test_guards_decide(engine: Engine) -> None:
    stranger = engine.step(engine.initial_state(), TurnFacts(trigger="daily_summary"))
    staff = engine.step(engine.initial_state(), TurnFacts(trigger="daily_summary", is_staff=True))
    assert stranger.effects == ("utter_default",)
    assert staff.effects == ("action_daily_summary",)
    assert staff.state.state == "staff_menu"


def test_one_engine_serves_many_conversations_independently(engine: Engine) -> None:
    first = engine.step(engine.initial_state(), TurnFacts(trigger="browse_catalog")).state
    second = engine.initial_state()
    assert engine.step(second, TurnFacts(trigger="help")).state.state == "start"
    assert first.state == "browsing"


def test_a_state_from_an_older_flow_restarts_at_initial(engine: Engine) -> None:
    result = engine.step(ConversationState(state="removed_state"), TurnFacts(trigger="greet"))
    assert result.state.state == "start"


def test_an_unknown_guard_is_a_flow_error() -> None:
    with pytest.raises(FlowError, match="is_staff"):
        Engine(FLOW)


def test_the_record_stays_small() -> None:
    record = ConversationState(state="browsing", language="zu", slots={"cart": [1, 2, 3]})
    for index in range(40):
        record = record.mark_processed(f"wamid.{'x' * 40}{index}", 1_700_000_000)
    assert len(record.model_dump_json()) <= 2048
    assert record.has_processed(f"wamid.{'x' * 40}39")
    assert not record.has_processed(f"wamid.{'x' * 40}0")  # only recent ids are kept


def test_shipped_flows_load_and_build() -> None:
    from bot.guards import GUARDS

    engine = Engine(load_flows(ROOT / "dialogue" / "flows"), GUARDS)
    assert engine.initial == "consent"


def test_a_bad_flow_names_the_file_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(
        "name: x\ninitial: start\nstates: [start]\n"
        "transitions:\n  - trigger: greet\n    dest: nowhere\n"
    )
    with pytest.raises(FlowError, match=r"broken\.yml: .*unknown state 'nowhere'"):
        Engine(load_flow(path))


def test_an_effect_must_be_a_response_or_an_action(tmp_path: Path) -> None:
    path = tmp_path / "bad_effect.yml"
    path.write_text(
        "name: x\ninitial: start\nstates: [start]\n"
        "transitions:\n  - trigger: greet\n    do: [say_hello]\n"
    )
    with pytest.raises(FlowError, match="say_hello"):
        load_flow(path)


def test_several_triggers_can_share_one_transition() -> None:
    flow = FlowSpec.model_validate(
        {
            "name": "media",
            "initial": "start",
            "states": ["start"],
            "transitions": [
                {"trigger": ["event_voice", "event_audio"], "do": ["utter_voice_note"]},
            ],
        }
    )
    engine = Engine(flow)
    for trigger in ("event_voice", "event_audio"):
        assert engine.step(engine.initial_state(), TurnFacts(trigger=trigger)).effects == (
            "utter_voice_note",
        )
    assert engine.triggers == {"event_voice", "event_audio"}
