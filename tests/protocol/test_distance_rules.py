"""Model selection weights: the stake-weighted part of target model selection."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.protocol.distance import selection_weights

# --- model selection weights (protocol.md §5.3, model_selection.rs:116-134) -------------------------------

@given(st.lists(st.integers(min_value=0, max_value=10**16), min_size=1, max_size=40))
def test_selection_weights_are_sqrt_stake_shares(stakes):
    weights = selection_weights(stakes)
    assert len(weights) == len(stakes) and abs(sum(weights) - 1.0) < 1e-9
    if any(stakes):
        biggest = max(range(len(stakes)), key=lambda i: stakes[i])
        assert weights[biggest] == max(weights)
        assert all(w == 0.0 for w, s in zip(weights, stakes) if s == 0)
    else:
        assert weights == [1.0 / len(stakes)] * len(stakes)


def test_selection_weights_of_four_to_one_stake_are_two_to_one():
    assert selection_weights([4 * 10**12, 10**12]) == [2 / 3, 1 / 3]
