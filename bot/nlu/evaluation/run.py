"""Evaluate the NLU model on the held-back split through the service that serves it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bot.nlu.evaluation.data import Example, read_examples
from bot.nlu.evaluation.local_service import local_service
from bot.nlu.evaluation.metrics import (
    Predicted,
    confusion,
    predicted_from,
    scores,
    worst_confusions,
)
from bot.nlu.evaluation.report import write_report
from bot.nlu.training import train
from bot.settings import Settings

LANGUAGES = ("en", "zu", "st", "mixed")
BATCH = 64
Progress = Callable[[int], None]


def parse_all(url: str, texts: Sequence[str], progress: Progress | None = None) -> list[Any]:
    results: list[Any] = []
    with httpx.Client(base_url=url, timeout=120.0) as http:
        for start in range(0, len(texts), BATCH):
            chunk = list(texts[start : start + BATCH])
            response = http.post("/parse", json={"texts": chunk})
            response.raise_for_status()
            results.extend(response.json()["results"])
            if progress is not None:
                progress(len(chunk))
    return results


def build_report(
    model: str, data: str, examples: Sequence[Example], predicted: Sequence[Predicted]
) -> dict[str, Any]:
    by_language: dict[str, Any] = {}
    groups = [
        (code, [i for i, e in enumerate(examples) if e.language == code]) for code in LANGUAGES
    ]
    groups.append(("all", list(range(len(examples)))))
    for name, indices in groups:
        if not indices:
            continue
        chosen = [examples[i] for i in indices]
        guesses = [predicted[i] for i in indices]
        section = scores(chosen, guesses)
        labels, matrix = confusion([e.intent for e in chosen], [p.intent for p in guesses])
        section["confusion"] = {"labels": labels, "matrix": matrix}
        by_language[name] = section
    return {
        "model": model,
        "data": data,
        "examples": len(examples),
        "by_language": by_language,
        "worst_confusions": worst_confusions(examples, predicted),
        "errors": [
            {"text": e.text, "language": e.language, "gold": e.intent, "predicted": p.intent,
             "confidence": round(p.confidence, 3)}
            for e, p in zip(examples, predicted, strict=True) if e.intent != p.intent
        ],
    }  # fmt: skip


def evaluate(
    settings: Settings,
    out: Path,
    *,
    data: Path | None = None,
    echo: bool = True,
    progress: Callable[[int], Progress] | None = None,
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Train (if needed), parse the test split, write the report; returns it and its files.

    `progress(total)` is called once with the number of examples and returns a callback
    that is told how many more were parsed.
    """
    model, _ = train(settings, echo=echo)
    data = data or settings.nlu_data_dir / "test"
    examples = read_examples(data)
    with local_service(settings, model, out / "service.log") as service:
        advance = progress(len(examples)) if progress else None
        results = parse_all(service.url, [e.text for e in examples], advance)
    predicted = [predicted_from(result) for result in results]
    shown = (
        str(data.relative_to(settings.project_dir))
        if data.is_relative_to(settings.project_dir)
        else str(data)
    )
    report = build_report(model.name, shown, examples, predicted)
    return report, write_report(out, report)
