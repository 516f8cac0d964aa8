"""Serve a model with Rasa's own runtime: the predict graph on dask, as `rasa run` does.

The fallback engine (see `runtime`): any Rasa NLU model works, e.g. the stock DIET pipeline
the benchmark compares with, at the cost of importing Rasa and TensorFlow (seconds) and a
graph run per batch. Loading mirrors `rasa.core.processor.MessageProcessor._load_model`:
unpack the archive into a temporary model storage and build the predict graph (every NLU node
is eager, so components load their state up front and the storage can be deleted after).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.engine.loader import load_predict_graph_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.data import TrainingType

from bot.nlu.rasa.core.results import parse_result


class NotAnNluModel(Exception):
    """The archive loaded, but it has no NLU pipeline."""


@dataclass(frozen=True)
class RasaGraph:
    metadata: dict[str, Any]
    runner: GraphRunner
    nlu_target: str

    def parse(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        outputs = self.runner.run(
            inputs={PLACEHOLDER_MESSAGE: [UserMessage(text=text) for text in texts]},
            targets=[self.nlu_target],
        )
        # The graph maps messages one to one; strict zip guards that contract.
        return [
            parse_result(text, message)
            for text, message in zip(texts, outputs[self.nlu_target], strict=True)
        ]


def load_rasa_graph(path: Path) -> RasaGraph:
    with tempfile.TemporaryDirectory(prefix="wakala-nlu-") as storage:
        metadata, runner = load_predict_graph_runner(
            Path(storage), path, LocalModelStorage, DaskGraphRunner
        )
    if metadata.training_type == TrainingType.CORE or not metadata.nlu_target:
        raise NotAnNluModel(f"model {path} has no NLU pipeline; train it with 'rasa train nlu'")
    identity = {
        "model_id": metadata.model_id,
        "project_fingerprint": metadata.project_fingerprint,
        "trained_at": metadata.trained_at.isoformat(),
        "rasa_open_source_version": metadata.rasa_open_source_version,
    }
    return RasaGraph(identity, runner, metadata.nlu_target)
