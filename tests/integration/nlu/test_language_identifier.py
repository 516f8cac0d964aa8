"""LanguageIdentifier as a Rasa component: train on the fixtures, persist, load, process.

Rasa is not importable here (app Python), so `langid_probe.py` runs under the Rasa Python
and prints JSON for these assertions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PROBE = Path(__file__).with_name("langid_probe.py")


@pytest.fixture(scope="module")
def probe(
    rasa_python: Path, rasa_env: dict[str, str], nlu_fixtures: Path, models_dir: Path
) -> dict[str, Any]:
    workdir = models_dir / "langid-probe"
    workdir.mkdir(exist_ok=True)
    result = subprocess.run(
        [str(rasa_python), str(PROBE), str(nlu_fixtures), str(workdir)],
        env=rasa_env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"langid_probe.py failed:\n{result.stderr[-3000:]}", pytrace=False)
    output: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return output


def test_heldout_accuracy_and_calibration(probe: dict[str, Any]) -> None:
    heldout = probe["heldout"]
    right = [g["code"] == g["expected"] for g in heldout]
    assert sum(right) / len(heldout) >= 0.9
    confident = [ok for g, ok in zip(heldout, right, strict=True) if g["confidence"] >= 0.9]
    assert sum(confident) / len(confident) >= 0.95


def test_scores_are_a_distribution_over_the_trained_languages(probe: dict[str, Any]) -> None:
    for guess in probe["heldout"]:
        assert set(guess["scores"]) == {"en", "st", "zu"}
        assert sum(guess["scores"].values()) == pytest.approx(1, abs=1e-3)
        assert 0 <= guess["confidence"] <= 1


@pytest.mark.parametrize("text", ["2", "👍", "R50", ""])
def test_no_letters_means_undetermined(probe: dict[str, Any], text: str) -> None:
    assert probe["probes"][text]["code"] == "und"
    assert probe["probes"][text]["confidence"] == 0


def test_neutral_chat_words_are_undetermined(probe: dict[str, Any]) -> None:
    assert probe["probes"]["ok"]["code"] == "und"
    assert probe["probes"]["ok"]["confidence"] == 0


@pytest.mark.parametrize("text", ["simba", "coke"])
def test_unseen_names_stay_below_the_switching_range(probe: dict[str, Any], text: str) -> None:
    assert probe["probes"][text]["confidence"] < 0.7


@pytest.mark.parametrize(("text", "code"), [("hello", "en"), ("sawubona", "zu"), ("dumela", "st")])
def test_known_greetings(probe: dict[str, Any], text: str, code: str) -> None:
    assert probe["probes"][text]["code"] == code
    assert probe["probes"][text]["confidence"] >= 0.8


def test_persisted_without_pickle(probe: dict[str, Any]) -> None:
    assert probe["persisted"] == ["langid.json", "langid_log_probs.npy"]


def test_example_metadata_overrides_intent_metadata(probe: dict[str, Any]) -> None:
    assert probe["example_label_wins"] == "st"


def test_one_language_only_leaves_it_untrained(probe: dict[str, Any]) -> None:
    assert probe["untrained"] == {"code": "und", "confidence": 0.0, "scores": {}}
