"""`channels` and `actions` are also names of PyPI packages: ours must be the ones imported."""

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "package", ["bot", "channels", "channels.whatsapp", "dialogue", "actions", "commerce"]
)
def test_our_packages_resolve_inside_the_repository(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(ROOT)
