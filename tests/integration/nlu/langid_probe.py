"""Exercise LanguageIdentifier through Rasa's component API; prints one JSON object.

Runs under the Rasa Python 3.10 (not collected by pytest): test_language_identifier.py
starts it as `<rasa-python> langid_probe.py FIXTURES_DIR WORK_DIR` with the repo on PYTHONPATH.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.components.language_id import LanguageIdentifier, language_label

PROBES = ["ok", "2", "👍", "R50", "", "hello", "sawubona", "dumela", "simba", "coke"]


def train_and_reload(training: TrainingData, workdir: Path, name: str) -> LanguageIdentifier:
    """Train into a model storage, then load a fresh instance from it, as serving does."""
    (workdir / name).mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage.create(workdir / name)
    resource = Resource(name)
    context = ExecutionContext(GraphSchema({}), node_name=name)
    LanguageIdentifier.create({}, storage, resource, context).train(training)
    return LanguageIdentifier.load({}, storage, resource, context)


def languages(component: LanguageIdentifier, texts: list[str]) -> list[dict[str, Any]]:
    messages = [Message(data={"text": text}) for text in texts]
    component.process(messages)  # one batch
    return [message.get("language") for message in messages]


def main(fixtures: Path, workdir: Path) -> dict[str, Any]:
    component = train_and_reload(load_data(str(fixtures / "train")), workdir, "langid")
    heldout = [
        (example.get("text"), language_label(example))
        for example in load_data(str(fixtures / "heldout")).training_examples
    ]
    guesses = languages(component, [text for text, _ in heldout])
    english_only = TrainingData(
        [Message.build("hello", "greet", intent_metadata={"language": "en"})] * 10
    )
    untrained = train_and_reload(english_only, workdir, "english-only")
    return {
        "heldout": [
            {"text": text, "expected": label, **guess}
            for (text, label), guess in zip(heldout, guesses, strict=True)
        ],
        "probes": dict(zip(PROBES, languages(component, PROBES), strict=True)),
        "persisted": sorted(p.name for p in (workdir / "langid").rglob("*") if p.is_file()),
        "example_label_wins": language_label(
            Message.build(
                "dumela",
                "greet",
                intent_metadata={"language": "zu"},
                example_metadata={"language": "st"},
            )
        ),
        "untrained": languages(untrained, ["hello"])[0],
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
