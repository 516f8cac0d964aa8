"""The conversation every simulated shopper holds, and what the bot must answer at each step.

A new shopper greets, agrees to the privacy notice, asks what the shop sells in words, taps a
category, adds bread in words, checks out, says they will collect, pays cash, and asks where
the order is. Five of the nine turns need the NLU; taps skip it, as on WhatsApp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "button", "row"]


@dataclass(frozen=True, slots=True)
class Step:
    kind: Kind  # typed text, a reply button, or a row of the last list shown
    value: str  # the text, the button's id, or the row's title
    replies: tuple[str, ...]  # a regular expression per message the bot answers with, in order

    @property
    def needs_nlu(self) -> bool:
        return self.kind == "text"

    def check(self, texts: list[str]) -> str | None:
        """Why these reply texts are not the expected ones, or None."""
        if len(texts) != len(self.replies):
            return f"{self.value!r}: expected {len(self.replies)} replies, got {texts!r}"
        for text, pattern in zip(texts, self.replies, strict=True):
            if not re.search(pattern, text):
                return f"{self.value!r}: reply {text!r} does not match {pattern!r}"
        return None


ORDER_PLACED = r"^Order (A-\d{4}) is placed\. Total R33\.98"

SHOPPING: tuple[Step, ...] = (
    Step("text", "hi", (r"To take your orders .* Do you agree\?$",)),
    Step("button", "/consent_yes", (r"^Thank you!$", r"What would you like\?$")),
    Step("text", "what do you sell?", (r"^What are you looking for\?$",)),
    Step("row", "Bread", (r"^Our products:$",)),
    Step("text", "2 white bread", (r"^Added 2 x White bread\. Cart: 2 items, R33\.98\.$",)),
    Step("button", "/checkout", (r"^Delivery or collection\?$",)),
    Step("text", "I'll collect", (r"^How will you pay\?$",)),
    Step("button", "/pay_cash", (ORDER_PLACED,)),
    Step("text", "where is my order?", (r"^Order A-\d{4} \(R33\.98\) is received",)),
)
REPLIES_PER_CONVERSATION = sum(len(step.replies) for step in SHOPPING)


def order_number(text: str) -> str | None:
    found = re.search(ORDER_PLACED, text)
    return found.group(1) if found else None
