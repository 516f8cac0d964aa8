"""The shopper's preferred language: it sticks, and changes only on clear evidence.

A greeting or an explicit request in another language switches at once; otherwise it takes a
run of confidently identified messages in the new language. Ambiguous messages ("ok", "2", an
emoji) come with low confidence from the language identifier and never flip anything.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED = ("en", "zu", "st")
SWITCHING_INTENTS = frozenset({"greet", "change_language"})
FIRST_GUESS_CONFIDENCE = 0.5
EXPLICIT_CONFIDENCE = 0.6
RUN_CONFIDENCE = 0.8
RUN_LENGTH = 2


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    language: str
    candidate: str | None = None  # a language seen confidently but not yet adopted
    run: int = 0  # how many confident messages in a row were in `candidate`


def choose_language(
    previous: LanguageChoice | None,
    detected: str | None,
    confidence: float,
    *,
    intent: str | None,
    default: str = "en",
) -> LanguageChoice:
    if previous is None:
        if detected in SUPPORTED and confidence >= FIRST_GUESS_CONFIDENCE:
            return LanguageChoice(detected)
        return LanguageChoice(default)
    if detected not in SUPPORTED:
        return previous
    if detected == previous.language:
        return LanguageChoice(previous.language)
    if intent in SWITCHING_INTENTS and confidence >= EXPLICIT_CONFIDENCE:
        return LanguageChoice(detected)
    if confidence < RUN_CONFIDENCE:
        return previous
    run = previous.run + 1 if previous.candidate == detected else 1
    if run >= RUN_LENGTH:
        return LanguageChoice(detected)
    return LanguageChoice(previous.language, candidate=detected, run=run)
