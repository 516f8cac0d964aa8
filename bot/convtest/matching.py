"""Expected replies against received ones: every difference as a diff-like explanation.

Replies are compared per recipient, in order: the first expected reply to the sender against
the first message the sender got, and so on. A missing reply and an unexpected extra one both
fail the turn. When the domain's response texts are known, every reply to the conversation's
sender must also be in the conversation's language (unless it is `mixed`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.convtest.format import Expected, Turn
from bot.convtest.received import Received
from bot.convtest.responses import ResponseTexts


@dataclass(frozen=True, slots=True)
class Mismatch:
    where: str  # "reply 1, text"
    expected: str
    got: str

    def lines(self) -> list[str]:
        return [f"{self.where}:", f"  - expected: {self.expected}", f"  + got:      {self.got}"]


@dataclass(frozen=True, slots=True)
class Expectations:
    """What the replies of one turn are checked against."""

    sender: str  # who wrote this turn: replies without `to` go to them
    shopper: str  # the conversation's sender: the language check applies to their replies
    language: str | None  # None: any language (mixed)
    responses: ResponseTexts | None


def quote(text: str | None) -> str:
    return "nothing" if text is None else '"' + text.replace("\n", "\\n") + '"'


def _titles(titles: Sequence[str]) -> str:
    return "[" + ", ".join(titles) + "]"


def describe_expected(expected: Expected) -> str:
    parts = [
        f"{name}: {getattr(expected, 'rows' if name == 'list' else name)}"
        for name in expected.checks()
    ]
    return "{" + "; ".join(parts) + "}"


def match_turn(turn: Turn, got: Sequence[Received], context: Expectations) -> list[Mismatch]:
    expected: dict[str, list[Expected]] = {}
    for item in turn.bot:
        replies = expected.setdefault(item.to or context.sender, [])
        if not item.nothing:
            replies.append(item)
    received: dict[str, list[Received]] = {}
    for message in got:
        received.setdefault(message.to, []).append(message)
    problems: list[Mismatch] = []
    for recipient in dict.fromkeys([*expected, *received]):
        wanted, sent = expected.get(recipient, []), received.get(recipient, [])
        label = "reply" if recipient == context.sender else f"reply to {recipient}"
        for index in range(max(len(wanted), len(sent))):
            where = f"{label} {index + 1}"
            if index >= len(sent):
                problems.append(Mismatch(where, describe_expected(wanted[index]), "nothing"))
            elif index >= len(wanted):
                problems.append(Mismatch(where, "nothing more", sent[index].describe()))
            else:
                problems += check(wanted[index], sent[index], where, context)
    return problems


def check(expected: Expected, got: Received, where: str, context: Expectations) -> list[Mismatch]:
    language = context.language if got.to == context.shopper else None
    problems = [
        Mismatch(f"{where}, {name}", want, have)
        for name, want, have in _differences(expected, got, context.responses, language)
    ]
    if not problems and got.to == context.shopper:
        problems += _language(got, where, context)
    return problems


def _differences(
    expected: Expected, got: Received, responses: ResponseTexts | None, language: str | None
) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    if expected.type is not None and expected.type != got.type:
        found.append(("type", expected.type, got.type))
    if expected.text is not None and expected.text != got.text:
        found.append(("text", quote(expected.text), quote(got.text)))
    for piece in expected.contains or ():
        if piece not in got.text:
            found.append(("text contains", quote(piece), quote(got.text)))
    if expected.matches is not None and not re.search(expected.matches, got.text):
        found.append(("text matches", f"/{expected.matches}/", quote(got.text)))
    titles = [b.title for b in got.buttons]
    if expected.buttons is not None and list(expected.buttons) != titles:
        have = _titles(titles) if titles else f"no buttons ({got.describe()})"
        found.append(("buttons", _titles(expected.buttons), have))
    rows = [r.title for r in got.rows]
    if expected.rows is not None and list(expected.rows) != rows:
        have = _titles(rows) if rows else f"no list ({got.describe()})"
        found.append(("list", _titles(expected.rows), have))
    if expected.template is not None and expected.template != got.template:
        found.append(("template", expected.template, got.template or got.describe()))
    if expected.response is not None:
        found += _response(expected.response, got, responses, language)
    return found


def _response(
    name: str, got: Received, responses: ResponseTexts | None, language: str | None
) -> list[tuple[str, str, str]]:
    if responses is None:
        return [("response", name, "unknown: no domain.yml to check against")]
    if responses.is_response(got.text, name, language):
        return []
    known = responses.identify(got.text)
    have = ", ".join(f"{v.response} ({v.language})" for v in known)
    want = f"{name} ({language})" if language else name
    return [("response", want, f"{have}: {quote(got.text)}" if have else quote(got.text))]


def _language(got: Received, where: str, context: Expectations) -> list[Mismatch]:
    if context.language is None or context.responses is None:
        return []
    known = context.responses.identify(got.text)
    languages = {v.language for v in known}
    if not languages or context.language in languages:
        return []
    names = ", ".join(sorted(f"{v.response} ({v.language})" for v in known))
    return [Mismatch(f"{where}, language", context.language, f"{names}: {quote(got.text)}")]
