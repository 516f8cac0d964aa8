"""Inflected product nouns → the catalogue's form, for isiZulu, Sesotho and English.

Analysis, not generation: a rule only proposes a base form, and the matcher keeps it only if
that base is a word of the shop's own product names in that language. So a rule can never
make a product out of a word the shop does not sell.

Only patterns attested in our sources are here (never invented ones):

- isiZulu possessive ya- with vowel coalescence (a+i → e, a+u → o, a+a → a): "intengo
  yesinkwa / yobisi / yenkukhu / yamaqanda / yamafutha" (nlu_data/train/zu/merchant.yml, where
  they are annotated with the base value).
- isiZulu na- ("and, with") with the same coalescence: "netiye", "nekhofi" (nlu_data/SOURCES.md,
  from the Injongo data).
- isiZulu initial vowel dropped after a demonstrative: "ngalesi sinkwa", "ngale nkukhu"
  (nlu_data/train/zu/shopper.yml, annotated "isinkwa", "inkukhu").
- Singular/plural noun-class prefixes, both ways: isiZulu isi-/izi- (isinkwa/izinkwa) and
  i-/ama- (iqanda/amaqanda); Sesotho se-/di- (sesepa/disepa) and -/di- (tapole/ditapole)
  (nlu_data/SOURCES.md, from the Injongo data).
- English plural -s/-es (egg/eggs).
"""

from __future__ import annotations

from collections.abc import Iterator

# ya-/na- + initial vowel: a+i → e, a+u → o, a+a → a (yesinkwa, yobisi, yamaqanda; netiye).
_ZU_COALESCED = {"ye": "i", "yo": "u", "ya": "a", "ne": "i", "no": "u", "na": "a"}
_ZU_VOWELS = ("i", "u", "a")
# Singular/plural prefix pairs per language, each usable in both directions.
_CLASS_PAIRS = {
    "zu": (("isi", "izi"), ("i", "ama")),
    "st": (("se", "di"), ("", "di")),
}
_MIN_STEM = 3  # what is left after a prefix must still look like a noun stem


def base_forms(word: str, language: str) -> Iterator[str]:
    """Candidate catalogue forms of a lower-case `word` read as `language` (most likely first).

    The word itself is not among them; callers check the candidates against the catalogue.
    """
    if language == "zu":
        yield from _zulu(word)
    elif language == "st":
        yield from _class_pairs(word, "st")
    elif language == "en":
        yield from _english(word)


def _zulu(word: str) -> Iterator[str]:
    head, rest = word[:2], word[2:]
    if head in _ZU_COALESCED and len(rest) >= _MIN_STEM:
        yield _ZU_COALESCED[head] + rest
    if word[:1] not in "aeiou" and len(word) >= _MIN_STEM:
        for vowel in _ZU_VOWELS:
            yield vowel + word
    yield from _class_pairs(word, "zu")


def _class_pairs(word: str, language: str) -> Iterator[str]:
    for singular, plural in _CLASS_PAIRS[language]:
        for have, want in ((plural, singular), (singular, plural)):
            if word.startswith(have) and len(word) - len(have) >= _MIN_STEM:
                yield want + word[len(have) :]


def _english(word: str) -> Iterator[str]:
    if len(word) < _MIN_STEM:
        return
    if word.endswith("s") and len(word) > _MIN_STEM:
        yield word[:-1]
        if word.endswith("es"):
            yield word[:-2]
    else:
        yield word + "s"
        yield word + "es"
