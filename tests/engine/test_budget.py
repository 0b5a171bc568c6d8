"""Memory budget: decided from the header and the input size before any tensor byte is read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.engine import budget
from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.errors import WeightsError
from tests.engine.crafted import HUGE_FFN, write_sparse_model

GIB = 2**30


def test_crafted_huge_ffn_is_refused_before_loading(tmp_path, monkeypatch):
    path = write_sparse_model(tmp_path / "huge.safetensors", HUGE_FFN)
    assert path.stat().st_size > 6 * GIB and path.stat().st_blocks * 512 < 2**20   # a hole, not data

    def no_load(*_a, **_k):
        raise AssertionError("a tensor was loaded")
    monkeypatch.setattr("soma_desktop.engine.weights._mapped_tensors", no_load)
    with pytest.raises(WeightsError) as refused:
        budget.check_weights_file(path, 2048, 8 * GIB)
    message = str(refused.value)
    assert "huge.safetensors needs about" in message and "budget is 8.0 GiB" in message
    assert "Refused before loading" in message


def test_a_demo_sized_model_fits_a_small_budget():
    arch = Architecture(embedding_dim=128, num_layers=1, num_heads=8, ffn_dim=256)
    estimate = budget.check_budget(arch, 1_048_576, 512 * 2**20)
    assert estimate.weights == arch.num_parameters * 4
    assert estimate.total < 512 * 2**20


def test_fast_mode_counts_its_bf16_copies():
    arch = Architecture(embedding_dim=512, num_layers=8, num_heads=8, ffn_dim=2048)
    exact, fast = budget.estimate_peak(arch, 16384, "exact"), budget.estimate_peak(arch, 16384, "fast")
    assert exact.weights < fast.weights < 1.6 * exact.weights


@given(st.integers(1, 64), st.integers(1, 2**20), st.integers(1, 2**20))
def test_estimate_grows_with_ffn_and_input(layers, ffn, size):
    arch = Architecture(embedding_dim=16, num_layers=layers, num_heads=8, ffn_dim=ffn)
    bigger = Architecture(embedding_dim=16, num_layers=layers, num_heads=8, ffn_dim=ffn + 1)
    assert budget.estimate_peak(bigger, size).total > budget.estimate_peak(arch, size).total
    assert budget.estimate_peak(arch, size + 1).total > budget.estimate_peak(arch, size).total


def test_budget_override_and_sizes(monkeypatch):
    assert budget.parse_size("8G") == 8 * GIB and budget.parse_size("512 MiB") == 512 * 2**20
    assert budget.parse_size("1000") == 1000
    with pytest.raises(ValueError):
        budget.parse_size("lots")
    monkeypatch.setenv(budget.BUDGET_ENV, "3G")
    assert budget.default_budget() == 3 * GIB
    monkeypatch.setenv(budget.BUDGET_ENV, "nonsense")   # never disables the guard
    assert budget.default_budget() > 0
