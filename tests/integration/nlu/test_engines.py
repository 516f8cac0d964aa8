"""The two serving engines on the shipped model: the fast one (no Rasa import) and Rasa's own
graph runtime must give identical parses, and models the fast one cannot run fall back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.nlu.evaluation.data import read_examples

pytestmark = pytest.mark.integration

PROBE = Path(__file__).with_name("engine_probe.py")
ROOT = Path(__file__).resolve().parents[3]
EDGE_CASES = [
    "", "   ", "👍", "ok", "yebo", "2", "R15.50", "/greet", '/add_to_cart{"quantity": 2}',
    "/ask_price@0.4", "!!!", "a" * 300, "ngicela izinkwa ezimbili ne-R20 airtime",
    "ke batla mahe a mararo le lebese", "two dozen eggs and 5 kilos of rice",
    # brand names never seen in training: the tagger knows where products go
    "ngicela Clover ezimbili", "ke batla Omo tse pedi", "add 2 omo to my cart",
]  # fmt: skip


@pytest.fixture(scope="module")
def probe(
    rasa_python: Path, rasa_env: dict[str, str], shipped_model: Path, tmp_path_factory: Any
) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("engine-probe")
    texts = [e.text for e in read_examples(ROOT / "nlu_data" / "test")] + EDGE_CASES
    (workdir / "texts.json").write_text(json.dumps(texts))
    result = subprocess.run(
        [str(rasa_python), str(PROBE), str(shipped_model), str(workdir / "texts.json"),
         str(workdir)],
        env=rasa_env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"engine_probe.py failed:\n{result.stderr[-3000:]}", pytrace=False)
    output: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return output


def test_the_shipped_model_is_served_without_importing_rasa(probe: dict[str, Any]) -> None:
    assert probe["engines"][:2] == ["fast", "rasa"]
    assert probe["imported_by_fast_engine"] == []  # no rasa, tensorflow or scikit-learn
    assert probe["describe"]["engine"] == "fast"


def test_both_engines_give_identical_parses(probe: dict[str, Any]) -> None:
    mismatches = [
        (fast, rasa)
        for fast, rasa in zip(probe["fast"], probe["rasa"], strict=True)
        if fast != rasa
    ]
    assert mismatches == []
    assert len(probe["fast"]) > 600


def test_a_batch_parses_like_its_texts_one_by_one(probe: dict[str, Any]) -> None:
    assert probe["fast_single"] == probe["fast"][: len(probe["fast_single"])]


def test_a_graph_the_fast_engine_cannot_run_goes_to_rasa(probe: dict[str, Any]) -> None:
    assert probe["engines"][2] == "rasa"
    assert "WhitespaceTokenizer" in probe["fast_refusal"]
    same = sum(
        a["intent"]["name"] == b["intent"]["name"]
        for a, b in zip(probe["fallback"], probe["fast"], strict=False)
    )
    assert same >= 0.9 * len(probe["fallback"])  # only the tokenizer differs


def test_products_never_seen_in_training_are_proposed(probe: dict[str, Any]) -> None:
    proposed = {
        result["text"]: [e["value"] for e in result["entities"] if e["entity"] == "product"]
        for result in probe["fast"]
    }
    assert proposed["ngicela Clover ezimbili"] == ["Clover"]
    assert proposed["ke batla Omo tse pedi"] == ["Omo"]
    assert proposed["add 2 omo to my cart"] == ["omo"]
    assert proposed["ok"] == proposed["yebo"] == proposed["👍"] == []


def test_parses_have_the_documented_shape(probe: dict[str, Any]) -> None:
    for result in probe["fast"]:
        assert set(result) == {"text", "intent", "intent_ranking", "entities", "language"}
        assert len(result["intent_ranking"]) <= 5
        for entity in result["entities"]:
            assert {"entity", "start", "end", "value", "extractor"} <= set(entity)
            if entity["entity"] in {"quantity", "money"}:
                assert isinstance(entity["value"], int | float)
