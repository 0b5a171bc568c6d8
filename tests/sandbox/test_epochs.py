"""The epoch boundary (protocol.md §2.1): money flow, ordering effects, eligibility of new models."""

from __future__ import annotations

from soma_desktop.network import types as t
from soma_desktop.network.sandbox.params import EMISSION_PER_EPOCH, SOMA
from soma_desktop.network.sandbox.store import StakedRow
from tests.sandbox.helpers import DEMO, activate_model, addr, expect_fail, fund


def test_boundary_money_flow_with_fees(chain):
    for i in range(3):
        chain.transfer_coin(DEMO, addr(f"r{i}"), 1000 * SOMA)
    fees = chain.supply_audit()["fees_this_epoch"]
    assert fees > 0
    before = chain.system_state()
    pools_before = sum(v.pool.soma_balance + v.pool.pending_stake for v in chain.get_validators())
    after = chain.advance_epoch()
    total = fees + EMISSION_PER_EPOCH                               # full epoch (D3)
    allocation = total * 7000 // 10_000
    paid = 4 * (2500 * allocation // 10_000)                       # 4 validators at 2500 VP each
    pools_after = sum(v.pool.soma_balance + v.pool.pending_stake for v in chain.get_validators())
    assert pools_after - pools_before == paid
    funded = after.targets_generated_this_epoch * after.reward_per_target
    assert after.emission_balance == (before.emission_balance - EMISSION_PER_EPOCH + (total - allocation)
                                      + (allocation - paid) - funded)
    assert after.epoch == before.epoch + 1
    assert after.targets_generated_this_epoch == 100 and after.hits_this_epoch == 0
    # fees of 3000 SOMA-worth transfers: 3 × (1600 + 1 SOMA) ≈ 3 SOMA > 1 SOMA target → value fee rises
    assert after.value_fee_bps == 11


def test_manual_advance_starts_the_epoch_now(chain, clock):
    clock.now += 12_345
    state = chain.advance_epoch()
    assert state.epoch_start_ms == clock.now


def test_model_revealed_mid_epoch_is_eligible_for_spawned_targets(chain):
    fund(chain, addr("sub"), 10 * SOMA)
    model_id, _, _ = activate_model(chain, stake=10_000 * SOMA)    # revealed in epoch 1
    epoch1 = [x for x in chain.list_targets(status="open", limit=1000).targets]
    assert epoch1 and all(model_id not in x.model_ids for x in epoch1)   # batch made before the reveal
    target = epoch1[0]
    spec = t.SubmitSpec(target.id, t.Manifest("https://e.org/d", bytes(32), 10), target.model_ids[0],
                        tuple(target.embedding), 0.1, (1.0,))
    result = chain.submit_data(addr("sub"), spec)
    spawned = chain.get_target(result.created[0])
    assert model_id in spawned.model_ids


def test_withdraw_from_unknown_pool_is_staking_pool_not_found(chain):
    from soma_desktop.core.storage import transaction
    with transaction(chain.conn):
        chain.store.put_staked(StakedRow(addr("receipt"), DEMO, addr("no-pool"), 0, SOMA))
    expect_fail("StakingPoolNotFound", chain.withdraw_stake, DEMO, addr("receipt"))


def test_stake_added_in_epoch_e_is_active_in_e_plus_1(chain):
    v = chain.get_validators()[1]
    chain.add_stake(DEMO, v.address, 3000 * SOMA)
    receipt = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == v.pool.id][0]
    assert receipt.activation_epoch == 1
    assert chain.get_validators()[1].pool.soma_balance == 20_000 * SOMA
    chain.advance_epoch()
    pool = chain.get_validators()[1].pool
    assert pool.pending_stake == 0 and 1 in pool.exchange_rates
    # withdrawing in epoch 1 (activation epoch) returns the principal: no reward earned yet
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, receipt.id)
    assert chain.get_balance(DEMO) == before + 3000 * SOMA - result.fee
