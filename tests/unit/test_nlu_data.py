"""The shipped training data keeps its promises: languages tagged, no example under two
intents, and the held-back test split never seen in training."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

DATA = ROOT / "nlu_data"
LANGUAGES = {"en", "zu", "st", "mixed"}
# Intents that only buttons, list rows and exact commands send: the NLU never predicts them.
BUTTON_ONLY = {
    "consent_yes",
    "consent_no",
    "opt_in",
    "menu",
    "restart",
    "set_language",
    "choose_category",
    "choose_shop",
    "order_details",
    "resume_customer",
    "bot_resume",
    "number",
    "captured",
}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def examples(split: str) -> list[tuple[Path, str, str, str]]:
    """(file, intent, language, plain text) for every example in a split."""
    found = []
    for path in sorted((DATA / split).rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in block:
                continue
            language = (block.get("metadata") or {}).get("language")
            for line in block["examples"].splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append((path, block["intent"], language, _ANNOTATION.sub(r"\1", text)))
    return found


@pytest.fixture(scope="module")
def train() -> list[tuple[Path, str, str, str]]:
    return examples("train")


def test_every_block_names_its_language(train: list[tuple[Path, str, str, str]]) -> None:
    untagged = {
        (str(path.relative_to(ROOT)), intent)
        for path, intent, lang, _ in train
        if lang not in LANGUAGES
    }
    assert untagged == set()


def test_no_example_sits_under_two_intents(train: list[tuple[Path, str, str, str]]) -> None:
    intents: dict[str, set[str]] = defaultdict(set)
    for _, intent, _, text in train:
        intents[text.casefold()].add(intent)
    assert {text: sorted(found) for text, found in intents.items() if len(found) > 1} == {}


def test_the_test_split_is_never_trained_on(train: list[tuple[Path, str, str, str]]) -> None:
    trained = {text.casefold() for *_, text in train}
    leaked = sorted(text for *_, text in examples("test") if text.casefold() in trained)
    assert leaked == []


def test_every_domain_intent_has_examples_in_each_language(
    train: list[tuple[Path, str, str, str]],
) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for _, intent, language, _ in train:
        counts[intent, language] += 1
    thin = {
        f"{intent}/{language}": counts[intent, language]
        for intent in domain["intents"]
        if intent not in BUTTON_ONLY
        for language in ("en", "zu", "st")
        if counts[intent, language] < 15
    }
    assert thin == {}
