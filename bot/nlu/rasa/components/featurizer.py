"""Batched sparse featurizer for the Rasa 3.6 NLU pipeline (words, char n-grams, lexicons).

Reference it in config.yml as `bot.nlu.rasa.components.featurizer.NgramFeaturizer`. It does
the work of CountVectorsFeaturizer (words, and char_wb n-grams) and RegexFeaturizer (lookup
tables and regexes) in one vocabulary, featurising a whole batch as one CSR matrix; see
`core.vectorizer`. It adds one sentence-level sparse feature per message, so Rasa's own
classifiers can use it too; it adds no sequence features (no DIET entity extraction).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, fields
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.components.common import analyses_of, lexicon_of, units_of
from bot.nlu.rasa.core.amounts import UnitLexicon
from bot.nlu.rasa.core.vectorizer import Vectorizer, VectorizerSettings

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NgramFeaturizer(SparseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), **asdict(VectorizerSettings())}

    @staticmethod
    def required_packages() -> list[str]:
        return ["numpy", "scipy"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        cls._settings(config)  # raises ValueError naming the bad option

    @classmethod
    def _settings(cls, config: dict[str, Any]) -> VectorizerSettings:
        merged = {**cls.get_default_config(), **config}
        return VectorizerSettings(**{f.name: merged[f.name] for f in fields(VectorizerSettings)})

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        state: tuple[Vectorizer, UnitLexicon] | None = None,
    ) -> None:
        super().__init__(execution_context.node_name, {**self.get_default_config(), **config})
        self._model_storage = model_storage
        self._resource = resource
        self._state = state

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        units = units_of(training_data)
        examples = [e for e in training_data.training_examples if e.get(TEXT)]
        vectorizer = Vectorizer.fit(
            analyses_of(examples, units), self._settings(self._config), lexicon_of(training_data)
        )
        self._state = (vectorizer, units)
        with self._model_storage.write_to(self._resource) as directory:
            vectorizer.save(directory)
            units.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramFeaturizer:
        with model_storage.read_from(resource) as directory:
            state = (Vectorizer.load(directory), UnitLexicon.load(directory))
        return cls(config, model_storage, resource, execution_context, state)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process([e for e in training_data.training_examples if e.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self._state is None or not messages:
            return messages
        vectorizer, units = self._state
        matrix = vectorizer.transform(analyses_of(messages, units)).tocsr()
        for i, message in enumerate(messages):
            self.add_features_to_message(None, matrix[i], TEXT, message)
        return messages
