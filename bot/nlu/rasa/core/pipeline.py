"""The fast serving engine: runs a model trained by `rasa train nlu` without importing Rasa.

Rasa trains the model as usual (our graph components, persisted in the archive); serving
only needs what those components saved. This module reads the archive's metadata.json,
walks the predict graph from the message input to the NLU target, and maps each node to a
step that runs the same core code the Rasa component runs, on the whole batch. Importing
Rasa (and TensorFlow, which Rasa's component registry pulls in) takes seconds and a graph
run costs a dask scheduling round per call; this costs neither.

A graph with a node we have no step for raises `UnsupportedModel`: such a model (e.g. the
stock DIET pipeline) is served by Rasa's own runtime instead (see `runtime`).
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.rasa.core import rasa_compat
from bot.nlu.rasa.core.amounts import UnitLexicon
from bot.nlu.rasa.core.langid_model import UNDETERMINED, NaiveBayesLanguageModel
from bot.nlu.rasa.core.lexicon import Analysis, analyse
from bot.nlu.rasa.core.linear import FeatureLayout, LinearModel
from bot.nlu.rasa.core.results import parse_result
from bot.nlu.rasa.core.tagger import ProductTagger
from bot.nlu.rasa.core.text import Token, tokenize
from bot.nlu.rasa.core.vectorizer import Vectorizer

_COMPONENTS = "bot.nlu.rasa.components."
_INPUT = "__message__"


class UnsupportedModel(Exception):
    """The model's graph has a node the fast engine cannot run."""


@dataclass
class Batch:
    """One batch on its way through the steps: Rasa-like message data per text."""

    texts: list[str]
    data: list[dict[str, Any]]
    tokens: list[list[Token]] | None = None
    features: dict[tuple[str, bool], Any] = field(default_factory=dict)
    _analyses: dict[tuple[Any, ...], list[Analysis]] = field(default_factory=dict)

    def token_lists(self) -> list[list[Token]]:
        if self.tokens is None:
            self.tokens = [tokenize(text) for text in self.texts]
        return self.tokens

    def analyses(self, units: UnitLexicon) -> list[Analysis]:
        """Tokens plus amounts, computed once per batch for each unit lexicon."""
        cached = self._analyses.get(units.key)
        if cached is None:
            cached = [
                analyse(text, units, tokens)
                for text, tokens in zip(self.texts, self.token_lists(), strict=True)
            ]
            self._analyses[units.key] = cached
        return cached


Step = Callable[[Batch], None]


@dataclass(frozen=True)
class FastModel:
    metadata: dict[str, Any]
    steps: tuple[Step, ...]

    def parse(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        batch = Batch(list(texts), [{"text": text} for text in texts])
        for step in self.steps:
            step(batch)
        return [parse_result(text, data) for text, data in zip(texts, batch.data, strict=True)]


def load_fast_model(archive: Path) -> FastModel:
    """Read a Rasa model archive and build its steps; UnsupportedModel if one has no step."""
    with tempfile.TemporaryDirectory(prefix="wakala-nlu-") as tmp:
        root = Path(tmp)
        _extract(archive, root)
        metadata = json.loads((root / "metadata.json").read_text("utf-8"))
        nodes = metadata["predict_schema"]["nodes"]
        target = metadata.get("nlu_target")
        if not target:
            raise UnsupportedModel("the model has no NLU target (not an NLU model)")
        steps = []
        for name in _chain(nodes, target):
            node = nodes[name]
            resource = node.get("resource")
            directory = root / "components" / resource["name"] if resource else None
            step = _step(name, node["uses"], node.get("config") or {}, directory)
            if step is not None:
                steps.append(step)
    return FastModel(metadata, tuple(steps))


def _extract(archive: Path, root: Path) -> None:
    """Unpack regular files and directories only, and only inside `root`."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            if not target.is_relative_to(root.resolve()):
                raise UnsupportedModel(f"archive member {member.name!r} escapes the archive")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is not None:
                    target.write_bytes(source.read())


def _chain(nodes: Mapping[str, Any], target: str) -> list[str]:
    """Node names from the input to `target`: NLU graphs are one chain through `messages`."""
    chain, name = [], target
    while name != _INPUT:
        node = nodes.get(name)
        needs = (node or {}).get("needs") or {}
        if node is None or set(needs) != {"messages"}:
            raise UnsupportedModel(f"graph node {name!r} is not part of a linear NLU chain")
        chain.append(name)
        name = needs["messages"]
        if len(chain) > len(nodes):
            raise UnsupportedModel("the NLU graph has a cycle")
    return chain[::-1]


def _step(name: str, uses: str, config: dict[str, Any], directory: Path | None) -> Step | None:
    simple = {
        "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter": None,
        _COMPONENTS + "tokenizer.ChatTokenizer": _tokenize,
        "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler": _regex_messages,
    }
    if uses in simple:
        return simple[uses]
    builders: dict[str, Callable[[str, dict[str, Any], Path | None], Step]] = {
        _COMPONENTS + "language_id.LanguageIdentifier": _language_step,
        _COMPONENTS + "featurizer.NgramFeaturizer": _featurizer_step,
        _COMPONENTS + "linear_intent.LinearIntentClassifier": _classifier_step,
        _COMPONENTS + "amounts.AmountExtractor": _amounts_step,
        _COMPONENTS + "product_tagger.ProductTagger": _tagger_step,
        "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper": _synonym_step,
        "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier": _fallback_step,
    }
    builder = builders.get(uses)
    if builder is None:
        raise UnsupportedModel(f"{uses} (node {name}) has no fast implementation")
    return builder(name, config, directory)


def _required(directory: Path | None, name: str) -> Path:
    if directory is None or not directory.is_dir():
        raise UnsupportedModel(f"{name} was not trained (no persisted files); retrain the model")
    return directory


# --------------------------------------------------------------------------------- steps
def _tokenize(batch: Batch) -> None:
    batch.token_lists()


def _regex_messages(batch: Batch) -> None:
    for i, text in enumerate(batch.texts):
        unpacked = rasa_compat.unpack_regex_message(text)
        if unpacked is not None:  # Rasa builds a new message: earlier attributes are gone
            batch.data[i] = {"text": text.strip(), **unpacked}


def _language_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    if directory is None or not directory.is_dir():  # untrained: the component says "und"

        def undetermined(batch: Batch) -> None:
            for data in batch.data:
                data["language"] = {"code": UNDETERMINED, "confidence": 0.0, "scores": {}}

        return undetermined
    model = NaiveBayesLanguageModel.load(directory)

    def run(batch: Batch) -> None:
        for data, guess in zip(batch.data, model.predict(batch.texts), strict=True):
            data["language"] = guess.as_dict()

    return run


def _featurizer_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    path = _required(directory, name)
    vectorizer, units = Vectorizer.load(path), UnitLexicon.load(path)
    origin = config.get("alias") or name

    def run(batch: Batch) -> None:
        batch.features[(origin, True)] = vectorizer.transform(batch.analyses(units))

    return run


def _classifier_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    if directory is None or not directory.is_dir():  # untrained: an explicit "no idea"

        def no_intent(batch: Batch) -> None:
            for data in batch.data:
                data["intent"], data["intent_ranking"] = {"name": None, "confidence": 0.0}, []

        return no_intent
    model = LinearModel.load(directory)
    layout = FeatureLayout(model.meta["layout"], model.meta.get("feature_scaling", "none"))
    ranking_length = int(config.get("ranking_length", 10))

    def run(batch: Batch) -> None:
        x = layout.assemble(batch.features, len(batch.texts))
        for data, (intent, ranking) in zip(batch.data, model.rank(x, ranking_length), strict=True):
            data["intent"], data["intent_ranking"] = intent, ranking

    return run


def _amounts_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    units = UnitLexicon.load(_required(directory, name))

    def run(batch: Batch) -> None:
        for data, analysis in zip(batch.data, batch.analyses(units), strict=True):
            found = [{**entity, "extractor": "AmountExtractor"} for entity in analysis.amounts]
            data["entities"] = data.get("entities", []) + found

    return run


def _tagger_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    if directory is None or not directory.is_dir():  # trained on data without products
        return lambda batch: None
    tagger, units = ProductTagger.load(directory), UnitLexicon.load(directory)

    def run(batch: Batch) -> None:
        proposals = tagger.predict(batch.analyses(units))
        for data, found in zip(batch.data, proposals, strict=True):
            named = [{**entity, "extractor": "ProductTagger"} for entity in found]
            data["entities"] = data.get("entities", []) + named

    return run


def _synonym_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    synonyms = rasa_compat.load_synonyms(directory)

    def run(batch: Batch) -> None:
        for data in batch.data:
            entities = list(data.get("entities", []))
            rasa_compat.replace_synonyms(entities, synonyms)
            data["entities"] = entities

    return run


def _fallback_step(name: str, config: dict[str, Any], directory: Path | None) -> Step:
    def run(batch: Batch) -> None:
        for data in batch.data:
            rasa_compat.fallback(data, config)

    return run
