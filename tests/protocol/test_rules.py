"""Claim split and timing, staking math, limits, reveal window, distance and hit rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.protocol import limits, reveal
from soma_desktop.protocol.distance import EmbeddingLengthMismatch, cosine_distance, would_hit
from soma_desktop.protocol.staking import rewards_to_date, voting_powers, withdrawal_reward
from soma_desktop.protocol.targets import (
    claim_split,
    claimable_from,
    reward_per_target,
    submission_bond,
    virtual_status,
)


def test_claim_split_worked_example():
    # submission.rs:455-514: 4975/4975/50 bps, dust to the submitter, bond back (protocol.md §5.7 derived)
    split = claim_split(12_685_185, filled=True, bond=66_560)
    assert (split.submitter, split.model_owner, split.claimer) == (6_310_881, 6_310_879, 63_425)
    assert split.bond_returned == 66_560
    unfilled = claim_split(12_685_185, filled=False)
    assert unfilled.claimer == 63_425 and unfilled.to_emission_pool == 12_685_185 - 63_425


@given(st.integers(min_value=0, max_value=2**64 - 1), st.booleans())
def test_split_pays_out_exactly_the_reward(reward, filled):
    s = claim_split(reward, filled=filled)
    assert s.submitter + s.model_owner + s.claimer + s.to_emission_pool == reward
    assert min(s.submitter, s.model_owner, s.claimer, s.to_emission_pool) >= 0


def test_claim_timing_and_statuses():
    assert claimable_from(filled=True, generation_epoch=3, fill_epoch=3) == 5          # audit window E+1
    assert claimable_from(filled=False, generation_epoch=3) == 4
    assert virtual_status("open", 3, None, 3) == "open"
    assert virtual_status("open", 3, None, 4) == "expired"
    assert virtual_status("filled", 3, 3, 4) == "filled"
    assert virtual_status("filled", 3, 3, 5) == "claimable"
    assert submission_bond(1_048_576) == 68_157_440 and reward_per_target() == 12_685_185


def test_reveal_window_is_exactly_commit_epoch_plus_one():
    assert reveal.reveal_epoch(7) == 8
    assert [reveal.reveal_open(7, e) for e in (7, 8, 9)] == [False, True, False]
    assert reveal.reveal_missed(7, 9) and not reveal.reveal_missed(7, 8)
    assert reveal.last_commit_epoch(4) == 5
    assert not reveal.created_timed_out(4, 5) and reveal.created_timed_out(4, 6)
    assert not reveal.reveal_timed_out(7, 8) and reveal.reveal_timed_out(7, 9)


def test_limits():
    assert limits.MAX_DATA_SIZE == 1_048_576
    assert limits.data_size_ok(1_048_576) and not limits.data_size_ok(1_048_577)
    assert limits.commission_ok(10_000) and not limits.commission_ok(10_001)
    assert limits.model_stake_ok(10**9) and not limits.model_stake_ok(10**9 - 1)
    assert limits.stake_ok(1) and not limits.stake_ok(0) and not limits.stake_ok(2**64)


def test_withdrawal_reward_follows_the_rate_and_is_capped_by_the_rewards_pool():
    assert withdrawal_reward(10**13, (0, 0), (11 * 10**12, 10**13), 10**15) == 10**12
    assert withdrawal_reward(10**13, (0, 0), (11 * 10**12, 10**13), 5) == 5
    rates = {1: (100, 100), 3: (150, 100)}
    assert rewards_to_date(100, 2, rates, 1, None, 10**9, 1) == 0                    # activating
    assert rewards_to_date(100, 2, rates, 1, None, 10**9, 3) == 50


def test_voting_power_sums_to_10000_with_the_cap():
    power = voting_powers([("a", 4), ("b", 1), ("c", 1), ("d", 1)])
    assert sum(power.values()) == 10_000 and power["a"] > power["b"]


def test_cosine_distance_and_hit_rule():
    a = np.array([1.0, 0.0])
    assert cosine_distance(a, np.array([0.0, 2.0])) == pytest.approx(1.0)
    assert cosine_distance(a, a) == pytest.approx(0.0, abs=1e-7)
    assert math.isnan(cosine_distance(np.zeros(2), a))                                # zero vector: NaN
    assert would_hit(1.0, 1.0) and not would_hit(1.0000001, 1.0) and not would_hit(float("nan"), 2.0)


def test_length_mismatch_raises_a_clear_error():
    with pytest.raises(EmbeddingLengthMismatch, match="16 values vs 128"):
        cosine_distance(np.ones(16), np.ones(128))
