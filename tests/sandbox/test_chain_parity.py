"""Sandbox = chain for each difference found by re-deriving soma-org/soma 0ed887ab (protocol.md Errata 1–6).

Each test states the chain's number and cites the Rust source (file:line at that commit).
"""

from __future__ import annotations

from soma_desktop.network import types as t
from soma_desktop.network.sandbox.params import SOMA
from soma_desktop.protocol.fees import ChainTx, FeeParams, claim_fee, estimate_fee
from soma_desktop.protocol.targets import claim_split
from tests.sandbox.helpers import (
    DEMO,
    DIM,
    activate_model,
    addr,
    assert_supply,
    commit_spec,
    create_model,
    embedding,
    expect_fail,
    fund,
    set_value_fee,
)


def test_withdraw_stake_fee_is_on_the_principal(chain):
    # authority/src/execution/staking.rs:323-329 — bps_mul(principal, value_fee_bps / 2) (Erratum 1)
    validator = chain.get_validators()[0].address
    chain.add_stake(DEMO, validator, 10_000 * SOMA)
    for _ in range(3):
        chain.advance_epoch()                                  # rewards accrue: payout > principal
    set_value_fee(chain, 10)
    staked = chain.list_staked_soma(DEMO)[0]
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, staked.id)
    assert result.fee == 5_000_001_900                         # 1000 + 3×300 + 10^13 × 5 / 10^4
    payout = chain.get_balance(DEMO) - before + result.fee
    assert payout > 10_000 * SOMA                              # the fee ignores the rewards part
    assert result.fee == estimate_fee(ChainTx.WITHDRAW_STAKE, FeeParams(value_fee_bps=10), staked.principal).total


def test_filled_claim_writes_six_objects_and_returns_the_bond_as_a_coin(chain):
    # authority/src/execution/submission.rs:385 (SystemState written), :455-514 (3 payouts + bond coin) (Erratum 2)
    submitter, claimer = addr("submitter"), addr("claimer")
    fund(chain, submitter, 100 * SOMA)
    fund(chain, claimer, 10 * SOMA)
    chain.advance_epoch()                                      # epoch 1: reward_per_target = 12,685,185
    target = chain.list_targets(status=t.TargetStatus.OPEN, limit=1000).targets[0]
    manifest = t.Manifest(url="https://example.org/d", checksum=bytes(32), size=1024)
    chain.submit_data(submitter, t.SubmitSpec(target.id, manifest, target.model_ids[0], tuple([0.1] * DIM), 0.5,
                                              (2.5,)))
    chain.advance_epoch()
    chain.advance_epoch()
    set_value_fee(chain, 10)
    coins_before = {c.id for c in chain.list_coins(submitter)}
    result = chain.claim_rewards(claimer, target.id)
    assert result.fee == 9_142                                 # 1000 + 6×300 + bps_mul(12,685,185, 5)
    split = claim_split(12_685_185, filled=True, bond=66_560)
    assert claim_fee(FeeParams(value_fee_bps=10), split).total == 9_142
    new = sorted(c.balance for c in chain.list_coins(submitter) if c.id not in coins_before)
    assert new == [66_560, 6_310_881]                          # the bond is its own coin
    assert_supply(chain)


def test_add_stake_checks_the_coin_before_the_validator(chain):
    # authority/src/execution/staking.rs:70-84 (balance) before types/src/system_state/mod.rs:342-368 (validator)
    poor = addr("poor")
    fund(chain, poor, 5_000)
    expect_fail("InsufficientCoinBalance", chain.add_stake, poor, addr("no-validator"), SOMA)
    expect_fail("ValidatorNotFound", chain.add_stake, poor, addr("no-validator"), 1)
    expect_fail("InvalidArguments", chain.add_stake, poor, chain.get_validators()[0].address, 0)


def test_reveal_matches_the_state_before_the_owner(chain):
    # types/src/system_state/mod.rs:735-826: a Created model is ModelInvalidState for anyone (Erratum 5)
    stranger = addr("stranger")
    fund(chain, stranger, SOMA)
    model_id = create_model(chain)
    expect_fail("ModelInvalidState", chain.reveal_model, stranger, model_id, bytes(32), embedding(1).tolist())
    chain.commit_model(DEMO, commit_spec(model_id, embedding(1), bytes(32)))
    expect_fail("NotModelOwner", chain.reveal_model, stranger, model_id, bytes(32), embedding(1).tolist())


def test_add_stake_to_model_prechecks_two_writes_but_charges_three(chain):
    # authority/src/execution/model.rs:223-229 — pre-check 2 writes; 3 written (Erratum 5)
    model_id = create_model(chain)
    value_fee = SOMA * 5 // 10_000
    between, short = addr("between"), addr("short")
    fund(chain, between, 1_000 + SOMA + value_fee + 700)       # ≥ 2 writes, < 3 writes after the stake
    err = expect_fail("InsufficientGas", chain.add_stake_to_model, between, model_id, SOMA)
    assert err.fee == 1_000 and chain.get_balance(between) == SOMA + value_fee + 700
    fund(chain, short, 1_000 + SOMA + value_fee + 500)         # < 2 writes: the pre-check fails
    expect_fail("InsufficientCoinBalance", chain.add_stake_to_model, short, model_id, SOMA)


def test_deactivate_leaves_pending_withdrawals_pending(chain):
    # types/src/system_state/mod.rs:942-992 (no processing), :1218-1240 (inactive pools skipped),
    # types/src/system_state/staking.rs:88-91 (an inactive pool settles all pending at the next withdrawal)
    model_id, _, _ = activate_model(chain, stake=3 * SOMA)
    staker = addr("staker")
    fund(chain, staker, 10 * SOMA)
    chain.add_stake_to_model(staker, model_id, 2 * SOMA)
    chain.advance_epoch()                                      # the stake is active
    pool_id = chain.get_model(model_id).pool.id
    chain.withdraw_stake(staker, chain.list_staked_soma(staker)[0].id)
    chain.deactivate_model(DEMO, model_id)
    assert chain.store.pool(pool_id).pending_total_soma_withdraw == 2 * SOMA
    assert chain.get_model(model_id).stake == 5 * SOMA        # still counted until settled
    chain.advance_epoch()
    assert chain.store.pool(pool_id).pending_total_soma_withdraw == 2 * SOMA
    owner_receipt = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == pool_id][0]
    chain.withdraw_stake(DEMO, owner_receipt.id)
    pool = chain.store.pool(pool_id)
    assert pool.pending_total_soma_withdraw == 0 and pool.soma_balance == 0
    assert_supply(chain)


def test_timed_out_created_model_deactivation_epoch_resets_each_boundary(chain):
    # types/src/system_state/mod.rs:1111-1154 — deactivation_epoch = new_epoch at every boundary (Erratum 6)
    model_id = create_model(chain)                             # created in epoch 0
    chain.advance_epoch()
    assert chain.get_model(model_id).deactivation_epoch is None
    chain.advance_epoch()                                      # into 2: 0 + 1 < 2
    assert chain.get_model(model_id).deactivation_epoch == 2
    chain.advance_epoch()
    assert chain.get_model(model_id).deactivation_epoch == 3


def test_each_deliberate_deviation_says_what_a_real_network_does():
    from soma_desktop.network.sandbox import DEVIATIONS
    for line in DEVIATIONS:
        assert "On a real network:" in line, line[:3]
