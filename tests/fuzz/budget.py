"""How hard the fuzzers try. The normal suite runs a few dozen examples per target (a few seconds in all);
`SOMA_FUZZ_EXAMPLES=20000 pytest tests/fuzz` (or any number) runs the long campaign on demand."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("SOMA_FUZZ_EXAMPLES", "25"))
LONG = "SOMA_FUZZ_EXAMPLES" in os.environ


def fuzz(examples: int | None = None):
    """Hypothesis settings for a fuzz target: `examples` overrides the short-run count only."""
    count = EXAMPLES if LONG or examples is None else examples
    return settings(max_examples=count, deadline=None, database=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
