"""A small designer project that validates cleanly; tests break one thing at a time."""

from __future__ import annotations

from pathlib import Path

from bot.designer.codenames import CodeNames

# What the code defines beside the domain, fixed here so tests do not follow the real modules.
CODE = CodeNames(
    actions=frozenset({"action_handoff"}),
    triggers=frozenset({"opt_out", "choose_category"}),
    guards=frozenset({"is_staff"}),
)

DOMAIN = """\
version: "3.1"
intents:
  - greet
  - browse_catalog
  - opt_out
slots:
  language:
    type: categorical
    values: [en, zu, st]
    mappings:
      - type: custom
  product_id:
    type: text
    mappings:
      - type: custom
actions:
  - action_list_products
responses:
  utter_greet:
    - text: "Hi! What would you like?"
      buttons:
        - title: "Products"
          payload: /browse_catalog
    - condition:
        - type: slot
          name: language
          value: zu
      text: "Sawubona!"
      buttons:
        - title: "Imikhiqizo"
          payload: /browse_catalog
    - condition:
        - type: slot
          name: language
          value: st
      text: "Dumela!"
      buttons:
        - title: "Dihlahiswa"
          payload: /browse_catalog
  utter_default:
    - text: "Sorry?"
      custom:
        list_button: "Choose"
    - condition: [{type: slot, name: language, value: zu}]
      text: "Uxolo?"
      custom:
        list_button: "Khetha"
    - condition: [{type: slot, name: language, value: st}]
      text: "Tshwarelo?"
      custom:
        list_button: "Kgetha"
"""

FLOW = """\
name: main
initial: start
states:
  - start
  - name: browsing
    prompt: utter_greet
transitions:
  - trigger: greet
    source: "*"
    dest: start
    do: [utter_greet]
  - trigger: [browse_catalog, choose_category]
    source: start
    dest: browsing
    conditions: ["!is_staff"]
    set: {product_id: $product_id}
    do: [action_list_products]
  - trigger: opt_out
    source: "*"
    dest: start
    do: [action_handoff]
fallback:
  do: [utter_default]
"""

CONFIG = """\
recipe: default.v1
assistant_id: designer_tests
language: xx
pipeline: []
"""

WORDS = {"en": "shop", "zu": "isitolo", "st": "lebenkele"}


def nlu(language: str) -> str:
    """15 distinct examples per intent, so nothing is thin and nothing repeats."""
    blocks = ['version: "3.1"', "nlu:"]
    for intent in ("greet", "browse_catalog", "opt_out"):
        blocks += [f"- intent: {intent}", "  metadata:", f"    language: {language}"]
        blocks.append("  examples: |")
        blocks += [f"    - {intent} {WORDS[language]} {n}" for n in range(15)]
    return "\n".join(blocks) + "\n"


def make_project(root: Path) -> Path:
    (root / "dialogue/flows").mkdir(parents=True)
    (root / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (root / "config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "dialogue/flows/main.yml").write_text(FLOW, encoding="utf-8")
    for language in WORDS:
        folder = root / "nlu_data/train" / language
        folder.mkdir(parents=True)
        (folder / "shopper.yml").write_text(nlu(language), encoding="utf-8")
    return root


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing `needle`."""
    hits = [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]
    return hits[occurrence - 1]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
