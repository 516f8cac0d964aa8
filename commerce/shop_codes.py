"""Shop codes as shoppers type them: from a poster, a QR code or a wa.me prefilled text.

A code is 2-32 capital letters, digits or '-' (`SHOP-1234`). Shoppers write `shop-1234`,
`SHOP 1234`, `shop_1234`, the code with a typographic dash copied from a poster, or
`Hi SHOP-1234` (the text a wa.me link fills in), so a message yields several candidates, most
specific first; the directory decides which, if any, is a real code.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
_DASHES = re.compile(r"[\s_\u2010-\u2015\u2212-]+")
_NOT_CODE = re.compile(r"[^A-Z0-9-]+")
# A wa.me text is a few words; a long message is not worth more than this many tokens.
MAX_TOKENS = 24


def normalise_code(raw: str) -> str | None:
    """`shop-1234`, ` SHOP 1234 `, `shop_1234` → `SHOP-1234`; None when it cannot be a code."""
    code = _DASHES.sub("-", raw.strip().upper()).strip("-")
    return code if CODE.match(code) else None


def compact(code: str) -> str:
    """The code without hyphens: how `SHOP1234` finds `SHOP-1234`."""
    return code.replace("-", "")


def is_distinctive(code: str) -> bool:
    """Letters and digits together (`SHOP-1234`, `2KG`): unlike a plain word or a bare number,
    worth checking against the directory in the middle of another shop's conversation."""
    return any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


def code_candidates(text: str, *, distinctive_only: bool = False) -> tuple[str, ...]:
    """Possible codes in a message, most specific first: codes with letters and digits before
    plain words, longer before shorter. A letters token followed by a digits token is also
    tried joined (`SHOP 1234` → `SHOP-1234`)."""
    if "%" in text:  # a pasted, still-encoded wa.me link
        text = unquote_plus(text)
    spaced = _DASHES.sub(lambda m: "-" if m.group(0).strip() else " ", text.upper())
    tokens = [t.strip("-") for t in _NOT_CODE.sub(" ", spaced).split()][:MAX_TOKENS]
    tokens = [re.sub("-+", "-", t) for t in tokens if t.strip("-")]
    found: list[str] = []
    for index, token in enumerate(tokens):
        found.append(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following.isdigit() and any(c.isalpha() for c in token):
            found.append(f"{token}-{following}")
    valid = [c for c in dict.fromkeys(found) if CODE.match(c)]
    if distinctive_only:
        valid = [c for c in valid if is_distinctive(c)]
    return tuple(sorted(valid, key=lambda c: (not is_distinctive(c), -len(c))))


def wa_me_link(display_phone_number: str, code: str) -> str:
    """The link a poster or QR code carries: opens the marketplace chat with the code typed."""
    digits = re.sub(r"\D", "", display_phone_number)
    return f"https://wa.me/{digits}?text={quote(code)}"
