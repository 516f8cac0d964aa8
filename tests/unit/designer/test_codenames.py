"""Names read from the code: from the source text when literal (no import), else imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.designer.codenames import CodeNames, module_names

MODULE = """\
raise RuntimeError("importing this module is what the source reading avoids")

COMMANDS = {"stop": "opt_out", "menu": "greet"}
PAYLOADS: dict[str, tuple[str, str]] = {"product": ("product_info", "product_id")}
GUARDS: dict[str, object] = {"is_staff": print, "has_cart": print}
KINDS = frozenset({"a", "b"})
"""

COMPUTED = """\
NAMES = {name: len(name) for name in ("x", "y")}
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    root = tmp_path / "designer_probe"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "literal.py").write_text(MODULE)
    (root / "computed.py").write_text(COMPUTED)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "designer_probe"


def test_literal_names_come_from_the_source(package: str) -> None:
    module = f"{package}.literal"
    assert module_names(module, "COMMANDS", values=True) == {"opt_out", "greet"}
    assert module_names(module, "PAYLOADS", values=True) == {"product_info"}
    assert module_names(module, "GUARDS") == {"is_staff", "has_cart"}
    assert module_names(module, "KINDS") == {"a", "b"}
    assert module_names(module, "MISSING") is None
    assert module not in sys.modules  # never imported (it would have raised)


def test_computed_names_are_imported(package: str) -> None:
    assert module_names(f"{package}.computed", "NAMES") == {"x", "y"}
    assert module_names(f"{package}.absent", "NAMES") is None


def test_this_checkout_s_names() -> None:
    names = CodeNames.from_code()
    assert "opt_out" in names.triggers  # STOP works without the NLU
    assert names.guards is not None
    assert "is_staff" in names.guards
