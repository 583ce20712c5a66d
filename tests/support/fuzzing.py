"""How hard the fuzz tests try: a few hundred examples inside `make test`, deterministic
(Hypothesis derandomized, the hostile server's answers seeded), and many more, random,
under `make fuzz`, which sets FUZZ_EXAMPLES."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for a property worth ``examples`` examples in `make test`."""
    long_run = examples < FUZZ_EXAMPLES
    return settings(
        max_examples=FUZZ_EXAMPLES if long_run else examples,
        deadline=None,  # a shared two-core machine: timing is not the property
        derandomize=not long_run,
        database=None,  # a failure prints its example; nothing is kept between runs
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
