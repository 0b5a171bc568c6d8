"""The fee table and formula (protocol.md §6.3 + Errata), Max, and the value-fee adjustment (§6.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.protocol.fees import (
    HALF_RATE_KINDS,
    OBJECTS_WRITTEN,
    ChainTx,
    FeeParams,
    adjust_value_fee,
    claim_fee,
    claim_writes,
    estimate_fee,
    fee_reserve,
    fee_span,
    max_amount,
    pay_writes,
    precheck_need,
    submit_writes,
    value_fee_rate,
)
from soma_desktop.protocol.params import SOMA
from soma_desktop.protocol.targets import claim_split

P10 = FeeParams(1_000, 300, 10)


def test_every_kind_has_a_write_count_and_a_rate():
    for kind in ChainTx:
        assert OBJECTS_WRITTEN[kind] >= 2
        assert value_fee_rate(kind, 10) in (0, 5, 10)


def test_chain_worked_examples():
    # protocol.md §6.3 (derived): CreateModel with 1 SOMA at 10 bps = 1000 + 3×300 + 500,000
    assert estimate_fee(ChainTx.CREATE_MODEL, P10, SOMA).total == 501_900
    # transfer: gas coin + new coin, full rate (coin.rs:72-95, 473-486)
    assert estimate_fee(ChainTx.TRANSFER_COIN, P10, SOMA).total == 1_000 + 600 + 1_000_000
    # staking kinds pay value_fee_bps // 2, integer halving: 7 bps → 3 bps (execution/staking.rs:304-306)
    assert estimate_fee(ChainTx.ADD_STAKE, FeeParams(1_000, 300, 7), SOMA).total == 1_000 + 900 + 300_000
    # Erratum 1: WithdrawStake on the principal — 10,000 SOMA → 5,000,001,900 (execution/staking.rs:323-329)
    assert estimate_fee(ChainTx.WITHDRAW_STAKE, P10, 10_000 * SOMA).total == 5_000_001_900
    # Erratum 2: filled claim, 6 writes: 9,142 at 10 bps (submission.rs:385, 455-514)
    assert claim_fee(P10, claim_split(12_685_185, filled=True, bond=66_560)).total == 9_142
    # an expired claim: gas, SystemState, claimer coin
    assert claim_fee(P10, claim_split(12_685_185, filled=False)).total == 1_000 + 900 + 6_342
    # SubmitData: 2,200 with a replacement target, 1,900 without, no value fee (submission.rs:112-326)
    assert estimate_fee(ChainTx.SUBMIT_DATA, P10, writes=submit_writes(True)).total == 2_200
    assert estimate_fee(ChainTx.SUBMIT_DATA, P10, writes=submit_writes(False)).total == 1_900
    assert estimate_fee(ChainTx.SUBMIT_DATA, P10, writes=submit_writes(True, bond_from_gas=False)).total == 2_500
    # Erratum 4: merge = transfer of the smallest coin to self, value fee on its balance
    assert estimate_fee(ChainTx.MERGE_COINS, P10, 3 * SOMA).total == 1_600 + 3_000_000
    assert estimate_fee(ChainTx.PAY_COINS, P10, 6 * SOMA, writes=pay_writes(3)).total == 1_000 + 1_200 + 6_000_000
    for kind in (ChainTx.COMMIT_MODEL, ChainTx.REVEAL_MODEL, ChainTx.DEACTIVATE_MODEL,
                 ChainTx.SET_MODEL_COMMISSION_RATE):
        assert estimate_fee(kind, P10, 10**15).total == 1_600           # no value fee
    assert fee_reserve(P10) == 5 * 1_900


def test_claim_writes_skip_zero_payouts():
    # submission.rs:455-514 creates a coin only for a non-zero amount
    assert claim_writes(claim_split(199, filled=True)) == 2 + 2          # claimer share rounds to 0, no bond
    assert claim_writes(claim_split(1, filled=False)) == 2
    assert claim_writes(claim_split(12_685_185, filled=True, bond=1)) == 6


def test_add_stake_to_model_prechecks_two_writes_but_charges_three():
    # authority/src/execution/model.rs:223-229 (Erratum 5)
    need = precheck_need(ChainTx.ADD_STAKE_TO_MODEL, SOMA, P10)
    assert need == SOMA + 600 + 500_000
    assert P10.base_fee + need < SOMA + estimate_fee(ChainTx.ADD_STAKE_TO_MODEL, P10, SOMA).total


@given(kind=st.sampled_from([ChainTx.TRANSFER_COIN, ChainTx.ADD_STAKE, ChainTx.ADD_STAKE_TO_MODEL,
                             ChainTx.CREATE_MODEL]),
       balance=st.integers(0, 10**17), bps=st.integers(1, 50), reserve=st.integers(0, 10**7))
def test_max_is_the_largest_amount_whose_fee_still_fits(kind, balance, bps, reserve):
    params = FeeParams(1_000, 300, bps)
    amount = max_amount(kind, balance, params, reserve)
    assert amount >= 0
    if amount > 0:
        assert amount + estimate_fee(kind, params, amount).total <= balance - reserve
    assert amount + 1 + estimate_fee(kind, params, amount + 1).total > balance - reserve


@given(amount=st.integers(0, 10**16), bps=st.integers(1, 50))
def test_half_rate_is_integer_halving(amount, bps):
    for kind in HALF_RATE_KINDS:
        assert estimate_fee(kind, FeeParams(value_fee_bps=bps), amount).value == amount * (bps // 2) // 10_000


@pytest.mark.parametrize("current, fees, expected", [
    (10, 0, 9), (9, 0, 8), (8, 0, 7),
    (7, 0, 7),                        # ⚠ stuck: 7×1250/10000 = 0
    (7, 100 * SOMA, 7),               # cannot rise either
    (10, SOMA, 10),                   # exactly on target
    (10, 2 * SOMA, 11),               # +1 (capped at 12.5 %)
    (16, 10 * SOMA, 18),
    (50, 100 * SOMA, 50),             # max
    (2, 0, 2), (1, 0, 1),
])
def test_value_fee_adjustment(current, fees, expected):
    # types/src/system_state/mod.rs:1552-1594
    assert adjust_value_fee(current, fees) == expected


@given(st.integers(0, 10**16), st.integers(0, 100))
def test_fee_span_is_one_object_wide_for_a_real_network_transfer(amount, bps):
    """Erratum 7: soma-sdk's random gas coin can add one written object to a transfer; the sandbox never does."""
    params = FeeParams(base_fee=1000, write_object_fee=300, value_fee_bps=bps)
    low, high = fee_span(ChainTx.TRANSFER_COIN, params, amount, random_gas_coin=True)
    assert low == estimate_fee(ChainTx.TRANSFER_COIN, params, amount)
    assert high.total - low.total == 300 and high.writes == 3 * 300
    assert fee_span(ChainTx.TRANSFER_COIN, params, amount, random_gas_coin=False) == (low, low)
    stake = fee_span(ChainTx.ADD_STAKE, params, amount, random_gas_coin=True)   # stakes pay from the gas coin
    assert stake[0] == stake[1]
