"""Which domain response (and in which language) a reply's text is, when it is one.

Each response's text becomes a pattern: its `{slot}` placeholders match any text, the rest
matches literally. Only the variation the bot would render per language is used (the first
one, as `dialogue.responses` chooses), so a match names what the bot actually said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dialogue.responses import Responses

_PLACEHOLDER = re.compile(r"\{\w+\}")


@dataclass(frozen=True, slots=True)
class Variation:
    response: str
    language: str
    pattern: re.Pattern[str]


def _pattern(template: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(template.strip())
    return re.compile(".+?".join(re.escape(piece) for piece in pieces), re.DOTALL)


class ResponseTexts:
    def __init__(self, variations: list[Variation]) -> None:
        self._variations = variations
        self.names = frozenset(v.response for v in variations)

    @classmethod
    def from_responses(cls, responses: Responses) -> ResponseTexts:
        found = []
        for name in sorted(responses.names):
            for language in sorted(responses.languages(name)):
                text = str(responses.variation(name, language).get("text") or "")
                if text.strip():
                    found.append(Variation(name, language, _pattern(text)))
        return cls(found)

    @classmethod
    def from_domain(cls, path: Path) -> ResponseTexts:
        return cls.from_responses(Responses.from_domain(path))

    def identify(self, text: str) -> list[Variation]:
        """Every response variation this text is (usually one; none for free text)."""
        text = text.strip()
        return [v for v in self._variations if v.pattern.fullmatch(text)]

    def languages_of(self, text: str) -> set[str]:
        return {v.language for v in self.identify(text)}

    def is_response(self, text: str, name: str, language: str | None) -> bool:
        """The text is `name` (in `language`, unless None: any language)."""
        return any(
            v.response == name and (language is None or v.language == language)
            for v in self.identify(text)
        )
