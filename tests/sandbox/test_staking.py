"""Staking pools, validator rewards with commission, compounding and voting power (§4)."""

from __future__ import annotations

import pytest

from soma_desktop.network.sandbox import staking
from soma_desktop.network.sandbox.params import EMISSION_PER_EPOCH, SOMA
from soma_desktop.network.sandbox.records import Pool, Validator
from soma_desktop.network.sandbox.validators import set_voting_power
from soma_desktop.protocol import staking as rules
from tests.sandbox.helpers import DEMO, addr, expect_fail, fund


def validator(chain, i=0):
    return chain.get_validators()[i]


def test_genesis_validators(chain):
    vals = chain.get_validators()
    assert [v.name for v in vals] == ["Aurora", "Borealis", "Cirrus", "Dorado"]
    for v in vals:
        assert v.pool.soma_balance == 20_000 * SOMA and v.commission_rate == 200 and v.voting_power == 2500


def test_stake_counts_from_next_epoch(chain):
    v = validator(chain)
    result = chain.add_stake(DEMO, v.address, 1000 * SOMA)
    assert result.fee == 1000 + 3 * 300 + 1000 * SOMA * 5 // 10_000
    pool = validator(chain).pool
    assert pool.soma_balance == 20_000 * SOMA and pool.pending_stake == 1000 * SOMA
    staked = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == pool.id]
    assert staked[0].activation_epoch == 1 and staked[0].principal == 1000 * SOMA
    assert validator(chain).voting_power == 2500
    chain.advance_epoch()
    pool = validator(chain).pool
    assert pool.pending_stake == 0 and pool.soma_balance > 21_000 * SOMA


def test_withdraw_before_activation_returns_principal(chain):
    v = validator(chain)
    chain.add_stake(DEMO, v.address, 500 * SOMA)
    staked = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == v.pool.id][0]
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, staked.id)
    assert chain.get_balance(DEMO) == before + 500 * SOMA - result.fee
    assert validator(chain).pool.pending_stake == 0


def test_add_stake_errors(chain):
    expect_fail("ValidatorNotFound", chain.add_stake, DEMO, addr("nobody"), SOMA)
    expect_fail("InvalidArguments", chain.add_stake, DEMO, validator(chain).address, 0)
    expect_fail("InsufficientCoinBalance", chain.add_stake, DEMO, validator(chain).address, 40_000 * SOMA)


def test_withdraw_rejections_change_nothing(chain):
    from tests.sandbox.helpers import snapshot
    v = validator(chain)
    chain.add_stake(DEMO, v.address, SOMA)
    staked = chain.list_staked_soma(DEMO)[0]
    before = snapshot(chain)
    expect_fail("ObjectNotFound", chain.withdraw_stake, DEMO, addr("missing"))
    other = addr("other")
    fund(chain, other, SOMA)
    before = snapshot(chain)
    err = expect_fail("InvalidOwnership", chain.withdraw_stake, other, staked.id)
    assert err.fee == 0 and snapshot(chain) == before


def test_rewards_commission_and_compounding(chain):
    """One epoch with no fees: total = emission; validators get 70 %, split by voting power."""
    v = validator(chain)
    chain.add_stake(DEMO, v.address, 1000 * SOMA)
    fees = chain.supply_audit()["fees_this_epoch"]
    chain.advance_epoch()                                   # into epoch 1
    total = fees + EMISSION_PER_EPOCH
    allocation = total * 7000 // 10_000
    reward = 2500 * allocation // 10_000
    commission = reward * 200 // 10_000
    pool = validator(chain).pool
    assert pool.soma_balance == 20_000 * SOMA + 1000 * SOMA + reward     # rewards deposited + commission staked
    assert pool.rewards_pool == reward - commission
    commission_receipts = [s for s in chain.list_staked_soma(v.address) if s.activation_epoch == 1]
    assert len(commission_receipts) == 1 and commission_receipts[0].principal == commission
    # exchange rate: stake processed at the post-reward rate
    prev_soma, prev_tokens = 20_000 * SOMA + reward - commission, 20_000 * SOMA
    tokens = prev_tokens * pool.soma_balance // prev_soma
    assert pool.exchange_rates[1] == (pool.soma_balance, tokens)
    # a genesis staker's withdrawal in epoch 2 includes the epoch-1 rewards (compounded via the rate)
    chain.advance_epoch()
    genesis_receipt = [s for s in chain.list_staked_soma(v.address) if s.activation_epoch == 0][0]
    pool = validator(chain).pool
    r0 = pool.exchange_rates[0]
    r2 = pool.exchange_rates[2]
    expected_value = (20_000 * SOMA * r0[1] // r0[0]) * r2[0] // r2[1]
    expected = 20_000 * SOMA + min(expected_value - 20_000 * SOMA, pool.rewards_pool)
    before_coins = chain.list_coins(v.address)
    assert not before_coins
    fund(chain, v.address, 100 * SOMA)          # gas: the withdrawal's value fee is on 20,000 SOMA
    before = chain.get_balance(v.address)
    result = chain.withdraw_stake(v.address, genesis_receipt.id)
    assert chain.get_balance(v.address) == before + expected - result.fee
    assert expected > 20_000 * SOMA


def test_undistributed_reward_dust_returns_to_emission_pool(chain):
    state0 = chain.system_state()
    chain.advance_epoch()
    state1 = chain.system_state()
    total = EMISSION_PER_EPOCH
    allocation = total * 7000 // 10_000
    paid = sum(2500 * allocation // 10_000 for _ in range(4))
    targets_paid = state1.targets_generated_this_epoch * state1.reward_per_target
    assert state1.emission_balance == state0.emission_balance - total + (total - allocation) + (allocation - paid) \
        - targets_paid


def pools_vp(stakes: list[int]) -> list[int]:
    class MemStore:
        def __init__(self):
            self.vals = [Validator(addr(f"v{i}"), f"v{i}", f"p{i}", 0, 0) for i in range(len(stakes))]
            self.pools = {f"p{i}": Pool(id=f"p{i}", soma_balance=s) for i, s in enumerate(stakes)}

        def validators(self):
            return self.vals

        def pool(self, pid):
            return self.pools[pid]

        def put_validator(self, v):
            pass
    store = MemStore()
    set_voting_power(store)  # type: ignore[arg-type]
    return [v.voting_power for v in store.vals]


@pytest.mark.parametrize("stakes, expected", [
    ([1, 1, 1, 1], [2500, 2500, 2500, 2500]),
    ([1, 1, 1], [3334, 3333, 3333]),               # cap 3334; leftover 1 to the first by stake/address
    ([97, 1, 1, 1], None),
    ([5, 3, 2], None),
])
def test_voting_power_formula(stakes, expected):
    got = pools_vp(stakes)
    assert sum(got) == 10_000
    if expected is not None:
        assert sorted(got, reverse=True) == sorted(expected, reverse=True)
    n = len(stakes)
    cap = min(max(-(-10_000 // n), 1000), 10_000)
    total = sum(stakes)
    base = [min(s * 10_000 // total, cap) for s in stakes]
    remaining = 10_000 - sum(base)
    for b, g in zip(base, got):
        assert g - b in (remaining // n, remaining // n + 1)


def test_voting_power_capped_validator_can_end_above_cap():
    got = pools_vp([97, 1, 1, 1])
    # cap = 2500; floor shares 2500, 100, 100, 100; leftover 7200 spread: 1800 each
    assert got == [4300, 1900, 1900, 1900]


def test_pool_math_rate_lookup_and_conversions():
    pool = Pool(id="p", activation_epoch=2, exchange_rates={"2": [100, 100], "5": [150, 100]})
    assert staking.rate(pool, 1) == (0, 0)
    assert staking.rate(pool, 4) == (100, 100)
    assert staking.rate(pool, 7) == (150, 100)
    pool.deactivation_epoch = 3
    assert staking.rate(pool, 7) == (100, 100)
    assert rules.soma_to_tokens((150, 100), 300) == 200
    assert rules.tokens_to_soma((150, 100), 200) == 300
    assert rules.soma_to_tokens((0, 0), 7) == 7
