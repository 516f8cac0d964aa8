"""Rasa entity extractor for quantities, money and units, with normalised values.

Reference it in config.yml as `bot.nlu.rasa.components.amounts.AmountExtractor`. Rules, not
learning (see `core.amounts` and `core.numbers`): number words in English, isiZulu and
Sesotho with their agreement forms, digits, rand amounts in cents. Training only collects the
units: the `unit` lookup table and its synonyms in the training data.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.components.common import analyses_of, units_of
from bot.nlu.rasa.core.amounts import UnitLexicon


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class AmountExtractor(GraphComponent, EntityExtractorMixin):
    def __init__(
        self, model_storage: ModelStorage, resource: Resource, units: UnitLexicon | None = None
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._units = units or UnitLexicon({})

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AmountExtractor:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self._units = units_of(training_data)
        with self._model_storage.write_to(self._resource) as directory:
            self._units.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AmountExtractor:
        with model_storage.read_from(resource) as directory:
            units = UnitLexicon.load(directory)
        return cls(model_storage, resource, units)

    def process(self, messages: list[Message]) -> list[Message]:
        for message, analysis in zip(messages, analyses_of(messages, self._units), strict=True):
            found = self.add_extractor_name([dict(entity) for entity in analysis.amounts])
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
