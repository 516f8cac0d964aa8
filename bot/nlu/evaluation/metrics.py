"""Scores of predicted parses against labelled examples: intents, entities, languages.

Entities count as found only with the exact label and character span (the strict, CoNLL-style
measure), so a partly right product span is both a miss and a false alarm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.nlu.evaluation.data import Example

ENTITY_KINDS = ("product", "quantity", "money", "unit")


@dataclass(frozen=True)
class Predicted:
    intent: str
    confidence: float
    language: str
    language_confidence: float
    entities: tuple[tuple[str, int, int], ...]  # (entity, start, end)


def predicted_from(result: dict[str, Any]) -> Predicted:
    intent = result.get("intent") or {}
    language = result.get("language") or {}
    return Predicted(
        intent=str(intent.get("name") or "nlu_fallback"),
        confidence=float(intent.get("confidence") or 0.0),
        language=str(language.get("code") or "und"),
        language_confidence=float(language.get("confidence") or 0.0),
        entities=tuple(
            (str(e["entity"]), int(e["start"]), int(e["end"]))
            for e in result.get("entities") or ()
            if e.get("entity") in ENTITY_KINDS
        ),
    )


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 over every label that occurs in either list (as scikit-learn)."""
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    per_label: dict[str, dict[str, float]] = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        support, chosen = gold.count(label), predicted.count(label)
        precision = tp / chosen if chosen else 0.0
        recall = tp / support if support else 0.0
        per_label[label] = {
            "precision": precision, "recall": recall, "f1": _f1(precision, recall),
            "support": support,
        }  # fmt: skip
    macro = sum(s["f1"] for s in per_label.values()) / len(per_label) if per_label else 0.0
    return {"n": n, "accuracy": correct / n if n else 0.0, "macro_f1": macro,
            "per_intent": per_label}  # fmt: skip


def entity_scores(examples: Sequence[Example], predicted: Sequence[Predicted]) -> dict[str, Any]:
    """Micro precision/recall/F1 over all entity kinds, and per kind."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for example, guess in zip(examples, predicted, strict=True):
        gold = {(e.entity, e.start, e.end) for e in example.entities if e.entity in ENTITY_KINDS}
        found = set(guess.entities)
        for kind in ENTITY_KINDS:
            g = {e for e in gold if e[0] == kind}
            f = {e for e in found if e[0] == kind}
            counts[kind].update(tp=len(g & f), fp=len(f - g), fn=len(g - f))
    total: Counter[str] = Counter()
    for kind_counts in counts.values():
        total.update(kind_counts)
    return {"micro": _prf(total), **{kind: _prf(counts[kind]) for kind in ENTITY_KINDS}}


def _prf(counts: Counter[str]) -> dict[str, float]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def language_accuracy(examples: Sequence[Example], predicted: Sequence[Predicted]) -> float:
    pairs = list(zip(examples, predicted, strict=True))
    return sum(e.language == p.language for e, p in pairs) / len(pairs) if pairs else 0.0


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return labels, matrix


def worst_confusions(
    examples: Sequence[Example], predicted: Sequence[Predicted], limit: int = 10
) -> list[dict[str, Any]]:
    """The most frequent (gold, predicted) intent mix-ups, with up to three texts each."""
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for example, guess in zip(examples, predicted, strict=True):
        if example.intent != guess.intent:
            pairs[example.intent, guess.intent].append(f"[{example.language}] {example.text}")
    ranked = sorted(pairs.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    return [
        {"gold": gold, "predicted": guess, "count": len(texts), "examples": texts[:3]}
        for (gold, guess), texts in ranked
    ]


def scores(examples: Sequence[Example], predicted: Sequence[Predicted]) -> dict[str, Any]:
    gold = [e.intent for e in examples]
    guessed = [p.intent for p in predicted]
    return {
        "intent": intent_scores(gold, guessed),
        "entities": entity_scores(examples, predicted),
        "language_id_accuracy": language_accuracy(examples, predicted),
    }
