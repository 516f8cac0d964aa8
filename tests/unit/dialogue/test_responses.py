from pathlib import Path

import pytest

from dialogue.errors import ResponseError
from dialogue.flows import Flows, load_flows
from dialogue.messages import ButtonsReply, ListReply, TextReply
from dialogue.responses import Responses

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "domain.yml"


@pytest.fixture(scope="module")
def responses() -> Responses:
    return Responses.from_domain(DOMAIN)


def test_every_response_has_all_three_languages(responses: Responses) -> None:
    missing = {
        name: sorted({"en", "zu", "st"} - responses.languages(name))
        for name in responses.names
        if responses.languages(name) != {"en", "zu", "st"}
    }
    assert missing == {}


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Hi"), ("zu", "Sawubona"), ("st", "Dumela")]
)
def test_the_greeting_comes_in_the_shoppers_language_with_buttons(
    responses: Responses, language: str, greeting: str
) -> None:
    reply = responses.render("utter_greet", language, {"shop_name": "Spaza"})
    assert isinstance(reply, ButtonsReply)
    assert reply.text.startswith(greeting)
    assert "Spaza" in reply.text
    assert [button.id for button in reply.buttons] == ["/browse_catalog", "/view_cart", "/help"]


def test_an_unknown_language_falls_back_to_english(responses: Responses) -> None:
    reply = responses.render("utter_goodbye", "fr")
    assert isinstance(reply, TextReply)
    assert reply.text == responses.render("utter_goodbye", "en").text  # type: ignore[union-attr]


def test_elements_become_a_list(responses: Responses) -> None:
    rows = [{"id": "product:1", "title": "Isinkwa", "description": "R16.99"}]
    reply = responses.render("utter_product_list", "zu", {}, rows)
    assert isinstance(reply, ListReply)
    assert reply.sections[0].rows[0].title == "Isinkwa"
    assert reply.button == responses.variation("utter_product_list", "zu")["custom"]["list_button"]


def test_a_missing_variable_stays_visible(responses: Responses) -> None:
    reply = responses.render("utter_greet", "en", {})
    assert "{shop_name}" in reply.text


def test_an_unknown_response_is_an_error_naming_it(responses: Responses) -> None:
    with pytest.raises(ResponseError, match="utter_nope"):
        responses.render("utter_nope", "en")


def test_responses_the_flows_use_exist(responses: Responses) -> None:
    flows = Flows.merge(load_flows(ROOT / "dialogue" / "flows"))
    used = {name for t in flows.transitions for name in t.do}
    used |= set(flows.fallback.do) | set(flows.fallback.then or [])
    for state in flows.states.values():
        used |= set(state.fallback or []) | ({state.prompt} if state.prompt else set())
    assert {name for name in used if name.startswith("utter_")} - responses.names == set()
