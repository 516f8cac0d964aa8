"""Rasa entity extractor that proposes product spans; the app matches them to its catalogue.

Reference it in config.yml as `bot.nlu.rasa.components.product_tagger.ProductTagger`. A
token tagger learnt from the inline `product` annotations, plus exact matches of a `product`
lookup table if the data has one; see `core.tagger`. Values are the words as written; an
EntitySynonymMapper after it folds inflected forms onto their base (`yesinkwa` -> `isinkwa`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, fields
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.components.common import analyses_of, lexicon_of, units_of
from bot.nlu.rasa.core.amounts import UnitLexicon
from bot.nlu.rasa.core.tagger import ProductTagger as Tagger
from bot.nlu.rasa.core.tagger import TaggerSettings

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ProductTagger(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return asdict(TaggerSettings())

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "scipy", "numpy"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: tuple[Tagger, UnitLexicon] | None = None,
    ) -> None:
        merged = {**self.get_default_config(), **config}
        self._settings = TaggerSettings(**{f.name: merged[f.name] for f in fields(TaggerSettings)})
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
    ) -> ProductTagger:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        units = units_of(training_data)
        examples = [e for e in training_data.training_examples if e.get(TEXT)]
        spans = [
            [
                (entity["start"], entity["end"])
                for entity in example.get(ENTITIES) or []
                if entity.get("entity") == self._settings.entity
            ]
            for example in examples
        ]
        tagger = Tagger.fit(
            analyses_of(examples, units), spans, self._settings, lexicon_of(training_data)
        )
        if tagger is None:
            logger.warning(
                "ProductTagger not trained: no example annotates a %r entity.",
                self._settings.entity,
            )
            return self._resource
        self._state = (tagger, units)
        with self._model_storage.write_to(self._resource) as directory:
            tagger.save(directory)
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
    ) -> ProductTagger:
        try:
            with model_storage.read_from(resource) as directory:
                state = (Tagger.load(directory), UnitLexicon.load(directory))
        except ValueError:  # Rasa's "resource does not exist": nothing was learnt
            state = None
        return cls(config, model_storage, resource, state)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._state is None or not messages:
            return messages
        tagger, units = self._state
        for message, found in zip(
            messages, tagger.predict(analyses_of(messages, units)), strict=True
        ):
            named = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + named, add_to_output=True)
        return messages
