"""Batched logistic-regression intent classifier for the Rasa 3.6 NLU pipeline.

Runs under Rasa's Python 3.10 in the NLU service's own virtualenv. Reference it in config.yml
as `bot.nlu.rasa.components.linear_intent.LinearIntentClassifier`.

Same model as Rasa's `LogisticRegressionClassifier` (scikit-learn, lbfgs, balanced class
weights, on the sentence-level features of every featurizer before it), with differences:
- The whole batch becomes one sparse matrix and one matrix product (`core.linear`).
  Rasa's component stacks per-message matrices (and `Message.get_sparse_features`
  deep-copies them), which cost more than everything else in a fast pipeline together.
- Weights persist as .npy + JSON. Rasa's uses skops, whose import scans every loaded module
  and, with TensorFlow loaded, adds 10-20 s to both training and model loading.
- `feature_scaling: log-l2` scales each featurizer's block (log counts, unit length): use it
  behind Rasa's CountVectorsFeaturizer. Our NgramFeaturizer scales its own blocks already,
  hence the default "none".
- A message with no features at all ("", "!!!") gets intent None with confidence 0 (and
  so `nlu_fallback` behind a FallbackClassifier) instead of failing the whole batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np  # type: ignore[import-not-found, unused-ignore]
import scipy.sparse  # type: ignore[import-untyped, import-not-found, unused-ignore]
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.core.linear import FeatureLayout, LinearModel
from bot.nlu.rasa.core.sparse import Rows

logger = logging.getLogger(__name__)


def _sentence_features(message: Message) -> list[Any]:
    return [
        feature
        for feature in message.features
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE
    ]


def layout_of(messages: Sequence[Message], scaling: str) -> FeatureLayout:
    blocks: dict[tuple[str, bool], int] = {}
    for message in messages:
        for feature in _sentence_features(message):
            blocks.setdefault((feature.origin, feature.is_sparse()), feature.features.shape[-1])
    return FeatureLayout(
        [(origin, sparse, dim) for (origin, sparse), dim in blocks.items()], scaling
    )


def matrix_of(layout: FeatureLayout, messages: Sequence[Message]) -> Rows:
    """One row per message (`Rows`), from the messages' sentence features, block by block."""
    parts: dict[tuple[str, bool], tuple[list[Any], list[Any], list[Any]]] = {}
    for i, message in enumerate(messages):
        for feature in _sentence_features(message):
            key = (feature.origin, feature.is_sparse())
            dim = layout.dim(*key)
            if feature.features.shape[-1] != dim:
                raise ValueError(
                    f"{feature.origin!r} gave {feature.features.shape[-1]} features, the model "
                    f"was trained on {dim}; retrain it"
                )
            if feature.is_sparse():
                block = feature.features.tocoo()
                cols, values = block.col, block.data.astype(np.float64)
            else:
                values = np.asarray(feature.features, dtype=np.float64).ravel()
                cols = np.arange(dim)
            rows_, cols_, values_ = parts.setdefault(key, ([], [], []))
            rows_.append(np.full(len(cols), i, dtype=np.int64))
            cols_.append(np.asarray(cols, dtype=np.int64))
            values_.append(values)
    matrices = {}
    for key, (rows, cols, values) in parts.items():
        matrix = scipy.sparse.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(messages), layout.dim(*key)),
        ).tocsr()
        matrix.sort_indices()
        matrices[key] = matrix
    return layout.assemble(matrices, len(messages))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression over sentence features, scored a whole batch at a time."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "scipy", "numpy"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,  # strength of fit (inverse regularisation) on unit-length blocks
            "max_iter": 300,
            "feature_scaling": "none",  # or "log-l2", behind Rasa's count featurizers
            "tol": 1e-4,
            "class_weight": "balanced",
            "random_state": 42,
            "ranking_length": 10,  # the fast engine reads the same default
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        FeatureLayout([], {**cls.get_default_config(), **config}["feature_scaling"])

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._layout = _layout(model)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        cls.validate_config(config)
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # Imported for training only, which keeps model loading lean.
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found, unused-ignore]

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        intents = [e.get(INTENT) for e in examples]
        if len(set(intents)) < 2:
            logger.warning(
                "LinearIntentClassifier not trained: it needs examples of at least two "
                "intents, got %s.",
                sorted(set(intents)),
            )
            return self._resource
        layout = layout_of(examples, self._config["feature_scaling"])
        classifier = LogisticRegression(
            C=self._config["C"],
            max_iter=self._config["max_iter"],
            tol=self._config["tol"],
            class_weight=self._config["class_weight"],
            random_state=self._config["random_state"],
            solver="lbfgs",
        )
        classifier.fit(matrix_of(layout, examples).tocsr(), intents)
        meta = {"layout": layout.blocks, "feature_scaling": layout.scaling}
        model = LinearModel(classifier.classes_, classifier.coef_, classifier.intercept_, meta)
        with self._model_storage.write_to(self._resource) as directory:
            model.save(directory)
            self._model = LinearModel.load(directory)  # serve what was saved (float32 weights)
        self._layout = _layout(self._model)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearModel.load(directory)
        except ValueError:  # Rasa's "resource does not exist": never trained
            logger.warning("LinearIntentClassifier has no trained model; intents stay unset.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None or self._layout is None:
            for message in messages:  # untrained: an explicit "no idea" keeps later steps working
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
            return messages
        if not messages:
            return messages
        x = matrix_of(self._layout, messages)
        for message, (intent, ranking) in zip(
            messages, self._model.rank(x, self._config["ranking_length"]), strict=True
        ):
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages


def _layout(model: LinearModel | None) -> FeatureLayout | None:
    if model is None:
        return None
    return FeatureLayout(model.meta["layout"], model.meta.get("feature_scaling", "none"))
