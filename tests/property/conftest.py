"""Property tests of bad input (hypothesis): parsing, rendering and free text.

Deterministic by default (see profiles.py).
"""

from __future__ import annotations

from tests.property import profiles

profiles.load()
