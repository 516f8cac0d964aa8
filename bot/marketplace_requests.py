"""What a message on a marketplace number asks of the shop chooser, without any I/O.

Before a shop is chosen, every message is about choosing: a code, a name, a location pin or a
tap on a `shop:<code>` row. Once a shop is chosen, messages belong to that shop, except the
switch words, `shop:` taps and text carrying another shop's code (a scanned poster), so a
product or a delivery pin is never taken for a shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.understanding import from_command
from commerce.shop_codes import code_candidates, normalise_code
from dialogue.messages import InboundMessage

SHOP_PAYLOAD = "shop"  # list rows `shop:<code>`; a bare `shop:` button means "switch shop"
# Words that leave the current shop, compared after trimming and case-folding. English only:
# no isiZulu or Sesotho words for "shops"/"switch" are attested in our language notes (only
# the singular isitolo, lebenkele, shopo), so the translated replies name the English word.
SWITCH_WORDS = frozenset(
    {"shops", "switch", "switch shop", "change shop", "other shop", "other shops", "all shops"}
)
# Greetings that ask for the welcome rather than a shop named "hi". isiZulu sawubona and
# sanibonani are attested (LANGUAGE_NOTES.md: INJ, Wikibooks); Sesotho dumela is not yet.
GREETINGS = frozenset({"hi", "hello", "hey", "hallo", "sawubona", "sanibonani"})
WELCOME_COMMANDS = frozenset({"greet", "help", "opt_in", "restart"})

Kind = Literal["switch", "pick", "text", "near", "welcome", "opt_out", "pass"]


@dataclass(frozen=True, slots=True)
class Request:
    kind: Kind
    codes: tuple[str, ...] = ()  # candidates, most specific first ("pick", "text")
    text: str = ""  # what the shopper typed ("text"), or the pin's label ("near")
    latitude: float = 0.0
    longitude: float = 0.0


def read_request(message: InboundMessage, *, choosing: bool) -> Request:
    """`choosing`: no shop is chosen yet, so everything is about choosing one."""
    if message.kind == "choice" and (message.payload or "").startswith(f"{SHOP_PAYLOAD}:"):
        value = (message.payload or "").partition(":")[2]
        if not value.strip():
            return Request("switch")
        code = normalise_code(value)
        return Request("pick", codes=(code,) if code else ())
    text = (message.text or "").strip() if message.kind == "text" else ""
    if text.casefold() in SWITCH_WORDS:
        return Request("switch")
    if not choosing:
        codes = code_candidates(text, distinctive_only=True) if text else ()
        return Request("text", codes=codes, text=text) if codes else Request("pass")
    if message.kind == "location" and message.location is not None:
        where = message.location
        label = where.name or where.address or ""
        return Request("near", text=label, latitude=where.latitude, longitude=where.longitude)
    if not text:
        return Request("welcome")  # media, stickers, reactions: nothing to search with
    command = from_command(text)
    if command is not None and command.trigger == "opt_out":
        return Request("opt_out")
    if text.casefold().strip("!.,") in GREETINGS or (
        command is not None and command.trigger in WELCOME_COMMANDS
    ):
        return Request("welcome")
    return Request("text", codes=code_candidates(text), text=text)
