"""The run's time estimate: model FLOPs over measured speed, shown before long runs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.budget import chunk_flops
from soma_desktop.services.evaluate.eta import Eta, format_duration

FIFTY_M = Architecture(embedding_dim=512, num_layers=16, num_heads=8, ffn_dim=2048)


def test_before_the_run_a_long_job_gets_exact_and_fast_estimates():
    eta = Eta()
    eta.plan([chunk_flops(FIFTY_M)] * 2, [1024])                   # 1 MiB × two 50M models
    text = eta.before_run(100e9, 300e9, "exact")
    assert text.startswith("about ") and "on this CPU; fast mode: about " in text
    assert "fast mode" not in eta.before_run(100e9, 100e9, "exact")   # no bf16 gain: no fast-mode promise
    tiny = Eta()
    tiny.plan([chunk_flops(Architecture(128, 1, 8, 256))], [4])
    assert tiny.before_run(100e9, 300e9, "exact") == ""              # short jobs: no estimate needed


def test_estimate_follows_the_measured_speed_not_the_start_up():
    eta = Eta()
    eta.plan([10**9], [100])
    assert eta.seconds_left() is None
    eta.add(1.0, 10**9)                                              # 1 GFLOP/s measured on the first chunk
    assert eta.seconds_left() == 99.0
    for _ in range(20):
        eta.add(0.5, 10**9)                                          # then twice as fast
    assert 35 < eta.seconds_left() < 40                              # 79 chunks at 0.5 s, smoothed


@given(st.lists(st.tuples(st.floats(0.01, 10), st.integers(1, 10**9)), min_size=1, max_size=50))
def test_estimate_never_negative_and_zero_when_done(batches):
    eta = Eta()
    eta.plan([10**9], [len(batches)])
    for seconds, flops in batches:
        eta.add(seconds, flops)
        assert eta.seconds_left() >= 0
    eta.add(1.0, 10**12)
    assert eta.seconds_left() == 0


def test_durations_read_naturally():
    assert [format_duration(s) for s in (0.2, 45, 150, 7200)] == ["1 s", "45 s", "2 min", "2.0 h"]
