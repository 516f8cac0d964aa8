"""Checks on the NLU training data (nlu_data/train): languages, coverage, duplicates."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot.designer.findings import Finding, Severity
from bot.designer.project import Example, IntentBlock, Project

REQUIRED_LANGUAGES = ("en", "zu", "st")
LANGUAGES = (*REQUIRED_LANGUAGES, "mixed")
MIN_EXAMPLES = 15  # nlu_data/README.md: "at least 15 varied examples each"


def check_data(project: Project, without_nlu: frozenset[str] = frozenset()) -> list[Finding]:
    """`without_nlu`: triggers that buttons or commands also produce (see checks_flows)."""
    return [
        *_languages_tagged(project),
        *_intents_in_domain(project),
        *_coverage(project, without_nlu),
        *_duplicates(project),
    ]


def _finding(
    project: Project, path: Path, line: int, severity: Severity, code: str, message: str, fix: str
) -> Finding:
    return Finding(project.sources.where(path), line, severity, code, message, fix)


def _languages_tagged(project: Project) -> list[Finding]:
    found = []
    for block in project.blocks:
        if block.language not in LANGUAGES:
            what = (
                "has no metadata language"
                if block.language is None
                else (f"has metadata language {block.language!r}, which is not one of {LANGUAGES}")
            )
            found.append(
                _finding(
                    project,
                    block.path,
                    block.line,
                    "error",
                    "metadata-language",
                    f"intent block {block.intent!r} {what}; the language identifier trains on it",
                    f"add `metadata: {{language: {_folder_language(block) or 'en'}}}` "
                    "under `- intent:`",
                )
            )
        elif (folder := _folder_language(block)) and folder != block.language:
            found.append(
                _finding(
                    project,
                    block.path,
                    block.line,
                    "warning",
                    "language-folder",
                    f"intent block {block.intent!r} says language {block.language!r} but sits "
                    f"in the {folder!r} folder",
                    f"move the block to nlu_data/train/{block.language}/ or correct its language",
                )
            )
        if not block.examples:
            found.append(
                _finding(
                    project,
                    block.path,
                    block.line,
                    "error",
                    "no-examples",
                    f"intent block {block.intent!r} has no examples",
                    "add examples as a literal block: `examples: |` then `- text` lines",
                )
            )
    return found


def _folder_language(block: IntentBlock) -> str | None:
    folder = block.path.parent.name
    return folder if folder in LANGUAGES else None


def _intents_in_domain(project: Project) -> list[Finding]:
    domain = project.sources.where(project.domain.path)
    return [
        _finding(
            project,
            block.path,
            block.line,
            "error",
            "unknown-intent",
            f"intent {block.intent!r} is not listed in {domain}",
            f"add `- {block.intent}` under `intents:` in {domain}, or correct the name",
        )
        for block in project.blocks
        if block.intent not in project.domain.intents
    ]


def _coverage(project: Project, without_nlu: frozenset[str]) -> list[Finding]:
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    files: dict[str, Path] = {}
    for block in project.blocks:
        counts[block.intent, block.language] += len(block.examples)
        files.setdefault(block.intent, block.path)
    found = []
    for intent, at in project.domain.intents.items():
        if intent not in files:
            if intent not in without_nlu:  # else a button or command is how it arrives
                found.append(_untriggered(project, intent, at))
            continue
        for language in REQUIRED_LANGUAGES:
            number = counts[intent, language]
            if number >= MIN_EXAMPLES:
                continue
            target = _sibling(project, files.get(intent), language)
            wanted = f"`- intent: {intent}` with `metadata: {{language: {language}}}`"
            found.append(
                _finding(
                    project,
                    project.domain.path,
                    at,
                    "error" if number == 0 else "warning",
                    "intent-language",
                    f"intent {intent!r} has {number or 'no'} {language} examples"
                    + (f" (fewer than {MIN_EXAMPLES})" if number else ""),
                    f"add a block {wanted} to {target}"
                    if number == 0
                    else f"add varied {language} examples to the {intent!r} block in {target}",
                )
            )
    return found


def _untriggered(project: Project, intent: str, at: int) -> Finding:
    return _finding(
        project,
        project.domain.path,
        at,
        "error",
        "intent-language",
        f"intent {intent!r} has no examples, and no button or command produces it, so "
        "nothing can ever trigger it",
        f"add `- intent: {intent}` blocks with en, zu and st examples under "
        f"{project.sources.where(project.paths.data)}/<language>/, or a button with "
        f"payload `/{intent}`",
    )


def _sibling(project: Project, path: Path | None, language: str) -> str:
    """Where the missing language's block belongs: the same file name in that language's
    folder (train/en/shopper.yml -> train/zu/shopper.yml)."""
    if path is None:
        return project.sources.where(project.paths.data / language)
    return project.sources.where(path.parent.parent / language / path.name)


def _duplicates(project: Project) -> list[Finding]:
    first: dict[str, tuple[IntentBlock, Example]] = {}
    found = []
    for block in project.blocks:
        for example in block.examples:
            seen = first.setdefault(example.key, (block, example))
            other, earlier = seen
            if earlier is example:
                continue
            where = f"{project.sources.where(other.path)}:{earlier.line}"
            if other.intent != block.intent:
                found.append(
                    _finding(
                        project,
                        block.path,
                        example.line,
                        "error",
                        "duplicate-example",
                        f"example {example.text!r} sits under intent {block.intent!r} and "
                        f"under {other.intent!r} ({where}); the model cannot learn both",
                        "keep it under the one intent it means and delete the other",
                    )
                )
            else:
                found.append(
                    _finding(
                        project,
                        block.path,
                        example.line,
                        "warning",
                        "repeated-example",
                        f"example {example.text!r} repeats one at {where} (same intent)",
                        "delete one of them, or vary it",
                    )
                )
    return found
