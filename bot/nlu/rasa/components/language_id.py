"""Rasa graph component that tags every message with its language (en, zu, st, mixed, und).

Runs under Rasa's Python 3.10 in the NLU service's own virtualenv. Reference it in config.yml
as `bot.nlu.rasa.components.language_id.LanguageIdentifier` with the repository root on
PYTHONPATH.

Training labels come from the NLU YAML's metadata, example-level winning over intent-level:

    - intent: greet
      metadata:
        language: zu
      examples: |
        - sawubona

Rasa 3.6 keeps both on the training `Message` as
`message.get("metadata") == {"intent": {"language": "zu"}, "example": {...}}`. Examples
labelled `mixed` (or not labelled) are not used to train the language model.

Each processed message gets `language = {"code", "confidence", "scores"}` in its parse output;
see `langid_model` for what the codes and confidences mean.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.core.langid_model import (
    MIXED,
    UNDETERMINED,
    LanguageIdSettings,
    NaiveBayesLanguageModel,
)

logger = logging.getLogger(__name__)

LANGUAGE = "language"  # message attribute and metadata key


class LanguageModelLoadError(RuntimeError):
    """The persisted language model exists but cannot be read (corrupt or old format)."""


def language_label(message: Message) -> str | None:
    """The language a training example is labelled with, if any."""
    metadata = message.get(METADATA)
    if not isinstance(metadata, dict):
        return None
    for level in (METADATA_EXAMPLE, METADATA_INTENT):
        level_metadata = metadata.get(level)  # designers may put any YAML value here
        value = level_metadata.get(LANGUAGE) if isinstance(level_metadata, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageIdentifier(GraphComponent):
    """Identifies each message's language with a calibrated naive Bayes model.

    Registered as a featurizer so it also runs over the training data: components placed
    after it can read `message.get("language")` at training time as well as at inference.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = LanguageIdSettings()
        return {
            "min_n": defaults.min_n,
            "max_n": defaults.max_n,
            "alpha": defaults.alpha,
            "mixed_word_confidence": defaults.mixed_word_confidence,
            "mixed_min_word_length": defaults.mixed_min_word_length,
            "oov_neutral_share": defaults.oov_neutral_share,
            "neutral_words": list(defaults.neutral_words),
            "temperature": defaults.temperature,
            "oov_temperature": defaults.oov_temperature,
            "folds": defaults.folds,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["numpy"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        cls._settings(config)  # raises ValueError naming the bad option

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: NaiveBayesLanguageModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def _settings(cls, config: dict[str, Any]) -> LanguageIdSettings:
        merged = {**cls.get_default_config(), **config}
        options = {k: merged[k] for k in cls.get_default_config()}
        options["neutral_words"] = tuple(str(word) for word in options["neutral_words"] or ())
        return LanguageIdSettings(**options)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageIdentifier:
        cls.validate_config(config)
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.training_examples:
            label, text = language_label(example), example.get(TEXT)
            if label and label != MIXED and text:
                texts.append(text)
                labels.append(label)
        try:
            self._model = NaiveBayesLanguageModel.fit(texts, labels, self._settings(self._config))
        except ValueError as exc:
            logger.warning(
                "LanguageIdentifier not trained (%s). Label examples with "
                "'metadata: {language: <code>}' on the intent or the example.",
                exc,
            )
            return self._resource
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageIdentifier:
        try:
            with model_storage.read_from(resource) as directory:
                try:
                    model = NaiveBayesLanguageModel.load(directory)
                except (OSError, ValueError, KeyError) as exc:
                    # Not a ValueError, so the handler below cannot mistake it for "untrained".
                    raise LanguageModelLoadError(
                        f"cannot load the language model of {resource.name}: {exc}"
                    ) from exc
        except ValueError:  # Rasa's "resource does not exist": the component was never trained
            logger.warning("LanguageIdentifier has no trained model; every message gets 'und'.")
            model = None
        return cls(config, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            for message in messages:
                message.set(LANGUAGE, _undetermined(), add_to_output=True)
            return messages
        guesses = self._model.predict([message.get(TEXT) or "" for message in messages])
        for message, guess in zip(messages, guesses, strict=True):
            message.set(LANGUAGE, guess.as_dict(), add_to_output=True)
        return messages


def _undetermined() -> dict[str, Any]:
    return {"code": UNDETERMINED, "confidence": 0.0, "scores": {}}
