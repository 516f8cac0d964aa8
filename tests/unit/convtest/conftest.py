"""Helpers for the conversation-test unit tests: files written to a temporary directory."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

SHOPS = """\
shops:
  - code: SHOP-A
    name: Spaza A
    phone_number_id: "900000000000011"
    token: token-a
    staff: ["27829990001", "27829990002"]
    products:
      - {sku: BREAD, names: {en: Bread, zu: Isinkwa}, price: 16.99, unit: loaf}
"""

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
