"""`wakala data validate`'s own checks: each fires on a deliberately broken file, at the right
file and line; the clean sample project gives no finding at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.designer.findings import Finding
from bot.designer.project import Paths
from bot.designer.validate import Report, validate
from tests.unit.designer.sample import CODE, line_of, make_project, replace


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def check(root: Path) -> Report:
    return validate(Paths.of(root), rasa=None, code=CODE)


def only(report: Report, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.findings
    return found[0]


def test_the_sample_project_is_clean(root: Path) -> None:
    report = check(root)
    assert report.findings == []
    assert report.ok
    assert report.files == 5  # domain, three data files, one flow


def test_an_intent_missing_a_language(root: Path) -> None:
    st = root / "nlu_data/train/st/shopper.yml"
    replace(st, "- intent: greet", "- intent: browse_catalog")  # st has no greet any more
    report = check(root)
    finding = only(report, "intent-language")
    assert (finding.path, finding.line, finding.severity) == (
        "domain.yml",
        line_of(root / "domain.yml", "- greet"),
        "error",
    )
    assert "no st examples" in finding.message
    assert "nlu_data/train/st/shopper.yml" in finding.fix
    assert not report.ok


def test_a_thin_language_is_a_warning(root: Path) -> None:
    zu = root / "nlu_data/train/zu/shopper.yml"
    replace(zu, "    - greet isitolo 14\n", "")
    finding = only(check(root), "intent-language")
    assert finding.severity == "warning"
    assert "14 zu examples" in finding.message


def test_a_data_intent_missing_from_the_domain(root: Path) -> None:
    en = root / "nlu_data/train/en/shopper.yml"
    replace(en, "- intent: opt_out", "- intent: opt_outt")
    report = check(root)
    unknown = only(report, "unknown-intent")
    assert (unknown.path, unknown.line) == (
        "nlu_data/train/en/shopper.yml",
        line_of(en, "- intent: opt_outt"),
    )


def test_a_block_without_its_language(root: Path) -> None:
    zu = root / "nlu_data/train/zu/shopper.yml"
    replace(
        zu,
        "- intent: browse_catalog\n  metadata:\n    language: zu\n",
        "- intent: browse_catalog\n",
    )
    report = check(root)
    untagged = only(report, "metadata-language")
    assert (untagged.path, untagged.line) == (
        "nlu_data/train/zu/shopper.yml",
        line_of(zu, "- intent: browse_catalog"),
    )
    assert "language: zu" in untagged.fix  # the folder says which language to write


def test_a_block_in_the_wrong_folder(root: Path) -> None:
    zu = root / "nlu_data/train/zu/shopper.yml"
    replace(
        zu,
        "- intent: greet\n  metadata:\n    language: zu",
        "- intent: greet\n  metadata:\n    language: st",
    )
    report = check(root)
    assert only(report, "language-folder").line == line_of(zu, "- intent: greet")


def test_an_example_under_two_intents(root: Path) -> None:
    en = root / "nlu_data/train/en/shopper.yml"
    zu = root / "nlu_data/train/zu/shopper.yml"
    # the same sentence, annotated and cased differently, under another intent
    replace(zu, "    - opt_out isitolo 3\n", "    - [Greet](product) SHOP  0\n")
    finding = only(check(root), "duplicate-example")
    assert (finding.path, finding.line) == (
        "nlu_data/train/zu/shopper.yml",
        line_of(zu, "[Greet](product) SHOP  0"),
    )
    assert "'opt_out'" in finding.message
    assert "'greet'" in finding.message
    assert f"nlu_data/train/en/shopper.yml:{line_of(en, '- greet shop 0')}" in finding.message


def test_a_response_missing_a_language(root: Path) -> None:
    domain = root / "domain.yml"
    replace(domain, "value: zu}]", "value: xh}]")  # utter_default's isiZulu one
    report = check(root)
    missing = [
        f for f in report.findings if f.code == "response-language" and f.severity == "error"
    ]
    assert [(f.line, f.message) for f in missing] == [
        (line_of(domain, "utter_default:"), "response 'utter_default' has no zu variation")
    ]
    unknown = [
        f for f in report.findings if f.code == "response-language" and f.severity == "warning"
    ]
    assert [f.line for f in unknown] == [line_of(domain, "value: xh")]


def test_a_button_title_too_long_for_whatsapp(root: Path) -> None:
    domain = root / "domain.yml"
    replace(domain, 'title: "Imikhiqizo"', 'title: "Imikhiqizo yethu emisha"')  # 23 characters
    finding = only(check(root), "whatsapp-limit")
    assert (finding.path, finding.line, finding.severity) == (
        "domain.yml",
        line_of(domain, "Imikhiqizo yethu emisha"),
        "error",
    )
    assert "23 characters" in finding.message
    assert "20" in finding.message


def test_list_texts_and_rows_within_whatsapp_limits(root: Path) -> None:
    domain = root / "domain.yml"
    rows = "".join(f"          - {{id: r{n}, title: Row {n}}}\n" for n in range(11))
    replace(
        domain,
        '        list_button: "Kgetha"\n',
        '        list_button: "Kgetha izinto eziningi"\n        rows:\n' + rows,
    )
    findings = [f for f in check(root).findings if f.code == "whatsapp-limit"]
    assert sorted((f.line, f.message.split(";")[0]) for f in findings) == [
        (
            line_of(domain, "Kgetha izinto"),
            "response 'utter_default' has a custom.list_button of 22 characters "
            "('Kgetha izinto eziningi')",
        ),
        (line_of(domain, "id: r10"), "response 'utter_default' has 11 list rows"),
    ]


def test_a_button_payload_that_nothing_handles(root: Path) -> None:
    domain = root / "domain.yml"
    replace(domain, "payload: /browse_catalog", "payload: /browse_catalogue")
    report = check(root)
    payload = only(report, "button-payload")
    assert payload.line == line_of(domain, '- title: "Products"')
    # the other languages still offer /browse_catalog: a language-parity warning too
    assert {f.code for f in report.findings} == {"button-payload", "response-buttons"}


@pytest.mark.parametrize(
    ("old", "new", "code", "hint"),
    [
        ("- trigger: greet", "- trigger: gret", "flow-trigger", "did you mean 'greet'?"),
        ("do: [utter_greet]", "do: [utter_greeting]", "flow-response", "utter_greet"),
        ("do: [action_list_products]", "do: [action_list_product]", "flow-action", "action_"),
        ("set: {product_id:", "set: {product:", "flow-slot", "'product'"),
        ('conditions: ["!is_staff"]', 'conditions: ["!is_staf"]', "flow-guard", "is_staff"),
        ("prompt: utter_greet", "prompt: utter_hello", "flow-response", "utter_hello"),
    ],
)
def test_flows_name_only_what_exists(root: Path, old: str, new: str, code: str, hint: str) -> None:
    flow = root / "dialogue/flows/main.yml"
    replace(flow, old, new)
    finding = only(check(root), code)
    assert (finding.path, finding.line, finding.severity) == (
        "dialogue/flows/main.yml",
        line_of(flow, new),
        "error",
    )
    assert hint in finding.message


def test_events_button_ids_and_code_triggers_are_known(root: Path) -> None:
    flow = root / "dialogue/flows/main.yml"
    replace(flow, "- trigger: greet", "- trigger: [greet, event_voice, nlu_fallback, /greet]")
    assert check(root).findings == []


def test_a_flow_that_is_not_a_valid_flowspec(root: Path) -> None:
    flow = root / "dialogue/flows/main.yml"
    replace(flow, "    dest: browsing\n", "    dest: browsing\n    go: fast\n")
    finding = only(check(root), "flow-invalid")
    assert finding.line == line_of(flow, "go: fast")
    assert finding.message == "transitions.1.go: Extra inputs are not permitted"


def test_unused_intents_and_unreachable_states_are_warnings(root: Path) -> None:
    flow = root / "dialogue/flows/main.yml"
    replace(flow, "- trigger: [browse_catalog, choose_category]", "- trigger: choose_category")
    replace(flow, "  - start\n", "  - start\n  - limbo\n")
    report = check(root)
    assert report.ok
    unused = only(report, "intent-unused")
    assert (unused.path, unused.line) == (
        "domain.yml",
        line_of(root / "domain.yml", "- browse_catalog"),
    )
    assert only(report, "state-unreachable").line == line_of(flow, "- limbo")


def test_broken_yaml_and_duplicate_keys(root: Path) -> None:
    domain = root / "domain.yml"
    replace(domain, "  utter_default:\n", "  utter_greet:\n    - text: again\n  utter_default:\n")
    en = root / "nlu_data/train/en/shopper.yml"
    replace(
        en, "  examples: |\n    - greet shop 0", "  examples: |\n  - [broken\n    - greet shop 0"
    )
    report = check(root)
    twice = only(report, "duplicate-key")
    assert (twice.path, twice.line) == ("domain.yml", line_of(domain, "utter_greet:", 2))
    syntax = only(report, "yaml")
    assert syntax.path == "nlu_data/train/en/shopper.yml"
    assert syntax.line in {line_of(en, "- [broken"), line_of(en, "- [broken") + 1}


def test_an_intent_only_buttons_produce_needs_no_examples(root: Path) -> None:
    domain = root / "domain.yml"
    replace(domain, "  - opt_out\n", "  - opt_out\n  - choose_category\n  - ghost\n")
    report = check(root)
    finding = only(report, "intent-language")  # choose_category comes from row ids: fine
    assert finding.line == line_of(domain, "- ghost")
    assert "nothing can ever trigger it" in finding.message
