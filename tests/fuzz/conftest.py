"""The fuzz tests' budget: CLEARWAY_FUZZ_EXAMPLES generated inputs per target.

``make test`` runs each target with a small budget (the default below); ``make fuzz``
sets 100,000. Hypothesis keeps no example database in the repository: a failure
prints the input that caused it (and its seed) instead.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("CLEARWAY_FUZZ_EXAMPLES", "300"))

settings.register_profile(
    "clearway",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
settings.load_profile("clearway")


def pytest_collection_modifyitems(items):
    """The suite's 300 s limit per test, grown with the budget: a long run takes hours."""
    limit = 300 + EXAMPLES * 0.1
    for item in items:
        if item.get_closest_marker("fuzz") is not None:
            item.add_marker(pytest.mark.timeout(limit))
