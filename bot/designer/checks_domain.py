"""Checks on the responses in domain.yml: a variation per language, and WhatsApp's limits.

A variation's language is its `condition: [{type: slot, name: language, value: zu}]`; the
variation without a language condition is English (as dialogue/responses.py reads them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yaml.nodes import Node

from bot.designer.checks_data import REQUIRED_LANGUAGES
from bot.designer.findings import Finding, Severity
from bot.designer.project import Project
from bot.designer.yamltree import get, items, line, pairs, scalar
from channels.whatsapp import limits

_CONDITION = "condition: [{type: slot, name: language, value: %s}]"


@dataclass(frozen=True, slots=True)
class _Variation:
    node: Node
    language: str


def check_responses(project: Project, triggers: frozenset[str]) -> list[Finding]:
    """`triggers`: every name a flow reacts to, so a button's `/intent` payload can be checked."""
    found: list[Finding] = []
    tree = project.sources.tree(project.domain.path)
    for name, key, value in pairs(get(tree, "responses")):
        report = _reporter(project, found, name)
        variations = [_Variation(item, _language(item)) for item in items(value)]
        if not variations:
            report(line(key), "error", "empty-response", "has no variations", "add a `- text:`")
            continue
        _languages(variations, line(key), report)
        _same_buttons(variations, report)
        for variation in variations:
            _limits(variation.node, report)
            _payloads(project, variation.node, triggers, report)
    return found


Report = Callable[[int, Severity, str, str, str], None]


def _reporter(project: Project, found: list[Finding], name: str) -> Report:
    where = project.sources.where(project.domain.path)

    def report(at: int, severity: Severity, code: str, message: str, fix: str) -> None:
        found.append(Finding(where, at, severity, code, f"response {name!r} {message}", fix))

    return report


def _language(variation: Node) -> str:
    for condition in items(get(variation, "condition")):
        if (
            scalar(get(condition, "type")) == "slot"
            and scalar(get(condition, "name")) == "language"
        ):
            return scalar(get(condition, "value")) or ""
    return "en"


def _languages(variations: list[_Variation], at: int, report: Report) -> None:
    seen: set[str] = set()
    for variation in variations:
        if variation.language not in REQUIRED_LANGUAGES:
            report(
                line(variation.node),
                "warning",
                "response-language",
                f"has a variation for language {variation.language!r}, which no shopper gets",
                f"use one of {', '.join(REQUIRED_LANGUAGES)}",
            )
        elif variation.language in seen:
            report(
                line(variation.node),
                "warning",
                "response-language",
                f"has a second {variation.language} variation; Wakala sends only the first",
                "merge them into one variation or delete one",
            )
        seen.add(variation.language)
    for language in REQUIRED_LANGUAGES:
        if language not in seen:
            fix = (
                "add a variation without a condition (the English one)"
                if language == "en"
                else f"add a variation with `{_CONDITION % language}`"
            )
            report(at, "error", "response-language", f"has no {language} variation", fix)


def _payload_set(variation: _Variation) -> tuple[str, ...]:
    return tuple(
        scalar(get(button, "payload")) or "" for button in items(get(variation.node, "buttons"))
    )


def _same_buttons(variations: list[_Variation], report: Report) -> None:
    """Every language should offer the same choices: a missing button is a missing path."""
    english = next((v for v in variations if v.language == "en"), None)
    if english is None:
        return
    for variation in variations:
        if variation.language != "en" and _payload_set(variation) != _payload_set(english):
            report(
                line(variation.node),
                "warning",
                "response-buttons",
                f"offers buttons {list(_payload_set(variation))} in {variation.language} but "
                f"{list(_payload_set(english))} in en",
                "give every language the same button payloads in the same order",
            )


def _limits(variation: Node, report: Report) -> None:
    buttons = items(get(variation, "buttons"))
    text = get(variation, "text")
    if buttons:
        if len(buttons) > limits.BUTTONS:
            report(
                line(buttons[limits.BUTTONS]),
                "error",
                "whatsapp-limit",
                f"has {len(buttons)} buttons; WhatsApp shows at most {limits.BUTTONS}",
                "keep 3 buttons, or send a list (an action that supplies rows)",
            )
        if not (scalar(text) or "").strip():
            report(
                line(variation),
                "error",
                "whatsapp-limit",
                "has buttons but no text; WhatsApp needs a body above buttons",
                "add `text:`",
            )
        for button in buttons:
            title = get(button, "title")
            _fits(title, limits.BUTTON_TITLE, "button title", report, owner=button)
            _fits(get(button, "payload"), limits.BUTTON_ID, "button payload", report, owner=button)
    body = limits.INTERACTIVE_BODY if buttons else limits.TEXT_BODY
    _fits(text, body, "text", report, severity="error" if buttons else "warning")
    custom = get(variation, "custom")
    for key, limit in (
        ("list_button", limits.LIST_BUTTON),
        ("section", limits.SECTION_TITLE),
        ("header", limits.HEADER_TEXT),
        ("footer", limits.FOOTER_TEXT),
    ):
        _fits(get(custom, key), limit, f"custom.{key}", report)
    _rows(custom, report)


def _rows(custom: Node | None, report: Report) -> None:
    """Lists written out in the response (most come from actions, which check at run time)."""
    sections = items(get(custom, "sections"))
    if len(sections) > limits.LIST_SECTIONS:
        report(
            line(sections[limits.LIST_SECTIONS]),
            "error",
            "whatsapp-limit",
            f"has {len(sections)} list sections; WhatsApp allows {limits.LIST_SECTIONS}",
            "merge sections",
        )
    rows = [*items(get(custom, "rows")), *(r for s in sections for r in items(get(s, "rows")))]
    for section in sections:
        _fits(get(section, "title"), limits.SECTION_TITLE, "section title", report)
    if len(rows) > limits.LIST_ROWS:
        report(
            line(rows[limits.LIST_ROWS]),
            "error",
            "whatsapp-limit",
            f"has {len(rows)} list rows; WhatsApp allows {limits.LIST_ROWS} across all sections",
            "drop rows or split the list over two messages",
        )
    for row in rows:
        _fits(get(row, "title"), limits.ROW_TITLE, "row title", report, owner=row)
        _fits(get(row, "description"), limits.ROW_DESCRIPTION, "row description", report)
        _fits(get(row, "id"), limits.ROW_ID, "row id", report)


def _fits(
    value: Node | None,
    limit: int,
    what: str,
    report: Report,
    *,
    owner: Node | None = None,
    severity: Severity = "error",
) -> None:
    """`owner` given: the value is required, and its absence is reported at the owner."""
    text = scalar(value)
    if value is None or text is None or not text.strip():
        if owner is not None:
            report(
                line(owner), "error", "whatsapp-limit", f"has an empty {what}", f"add the {what}"
            )
        return
    length = limits.size(text)
    if length > limit:
        report(
            line(value),
            severity,
            "whatsapp-limit",
            f"has a {what} of {length} characters ({text[:40]!r}); WhatsApp allows {limit}",
            f"shorten it to at most {limit} characters",
        )


def _payloads(project: Project, variation: Node, triggers: frozenset[str], report: Report) -> None:
    for button in items(get(variation, "buttons")):
        payload = scalar(get(button, "payload")) or ""
        if not payload.startswith("/"):
            continue  # `kind:id` payloads (product:12) are read by the worker, not by flows
        trigger = payload[1:].split("{", 1)[0]
        if trigger not in project.domain.intents and trigger not in triggers:
            report(
                line(button),
                "error",
                "button-payload",
                f"has a button with payload {payload!r}, but {trigger!r} is neither an intent "
                "nor a flow trigger, so tapping it does nothing useful",
                f"use `/<intent>` with an intent from domain.yml, or add {trigger!r} to a flow",
            )
