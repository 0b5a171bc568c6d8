"""Fee previews and the claim split shown before signing (protocol.md §5.7, §6.3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.types import SystemState
from soma_desktop.ui.publish.fees import claim_split, estimate_fee

STATE = SystemState(chain="sandbox", epoch=0, epoch_start_ms=0, epoch_duration_ms=0, protocol_version=5,
                    architecture_version=1, target_embedding_dim=128, model_min_stake=10**9, value_fee_bps=10,
                    base_fee=1000, write_object_fee=300, emission_balance=0, emission_per_epoch=0,
                    distance_threshold=1.05, reward_per_target=12_685_185, hits_this_epoch=0,
                    targets_generated_this_epoch=0)


def test_spec_examples():
    assert estimate_fee(STATE, "create", 10**9).total == 501_900          # protocol.md §6.3 (derived)
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
