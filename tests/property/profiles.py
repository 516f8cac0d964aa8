"""Hypothesis profiles for the bad-input suite, shared by tests/property and
tests/integration/fuzz.

`wakala` (the default) is deterministic: the same examples on every run and every machine, no
example database, no deadline (CI machines are slow and I/O properties wait on real services),
so a red CI run reproduces locally as it was. `explore` is for hunting locally: random seeds,
many more examples, failures remembered in .hypothesis/ and replayed first.

    HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/property
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DETERMINISTIC = "wakala"
EXPLORE = "explore"

settings.register_profile(
    DETERMINISTIC,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    EXPLORE,
    max_examples=1_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def restore_reporting() -> None:
    """Put Hypothesis's own printer back.

    schemathesis's pytest plugin, loaded in every run once schemathesis is installed, swaps
    Hypothesis's printer for one that prints nothing (to save time in its coverage phase), so
    every failing example in the suite would read `test(x=,)`. Printing costs only on failure.
    """
    from hypothesis import core
    from hypothesis.vendor import pretty

    core.RepresentationPrinter = pretty.RepresentationPrinter  # type: ignore[misc]


def load() -> None:
    """Load the profile named by HYPOTHESIS_PROFILE, else the deterministic one."""
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", DETERMINISTIC))
    restore_reporting()
