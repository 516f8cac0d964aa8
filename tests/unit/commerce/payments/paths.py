"""Where the payment fixtures live: ours in tests/fixtures/payments, the team's shared ones
beside the repo (../shared/fixtures/payments, absent in some checkouts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[4]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "payments"
SHARED = REPO_ROOT.parent / "shared" / "fixtures" / "payments"


def load(name: str, folder: Path = FIXTURES) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def raw(name: str, folder: Path = FIXTURES) -> bytes:
    return (folder / name).read_bytes()
