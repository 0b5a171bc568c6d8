"""Fees (protocol.md §6.3) and the value-fee adjustment (§6.4) on the sandbox chain; the adjustment rule
itself is tested once, in tests/protocol/test_fees.py."""

from __future__ import annotations

from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.helpers import (
    DEMO,
    addr,
    base_fee_only,
    commit_spec,
    embedding,
    expect_fail,
    fund,
    snapshot,
)


def test_create_model_worked_example_costs_501900(chain):
    assert chain.system_state().value_fee_bps == 10
    before = chain.get_balance(DEMO)
    result = chain.create_model(DEMO, 1 * SOMA, 100)
    assert result.fee == 501_900                       # 1000 + 3×300 + bps_mul(1 SOMA, 10/2)
    assert chain.get_balance(DEMO) == before - SOMA - 501_900


def test_transfer_fee_and_value_fee(chain):
    bob = addr("bob")
    result = chain.transfer_coin(DEMO, bob, 1000 * SOMA)
    # gas coin + new coin written; value fee at the full 10 bps
    assert result.fee == 1000 + 2 * 300 + 1000 * SOMA * 10 // 10_000
    assert chain.get_balance(bob) == 1000 * SOMA


def test_pay_coins_fee_counts_every_new_coin(chain):
    recipients = [addr("r1"), addr("r2"), addr("r3")]
    result = chain.pay_coins(DEMO, recipients, [SOMA, 2 * SOMA, 3 * SOMA])
    assert result.fee == 1000 + 4 * 300 + 6 * SOMA * 10 // 10_000
    assert [chain.get_balance(r) for r in recipients] == [SOMA, 2 * SOMA, 3 * SOMA]


def test_failed_transaction_pays_only_base_fee(chain):
    gas = chain.list_coins(DEMO)[0]
    before = snapshot(chain)
    err = expect_fail("ModelMinStakeNotMet", chain.create_model, DEMO, SOMA - 1, 0)
    assert err.fee == 1000 and err.digest
    base_fee_only(before, snapshot(chain), gas.id)
    logged = chain.get_transaction(err.digest)
    assert logged["status"] == "failure" and logged["error"] == "ModelMinStakeNotMet" and logged["fee"] == 1000


def test_gas_coin_below_base_fee_is_taken_whole(chain):
    poor = addr("poor")
    fund(chain, poor, 700)
    err = expect_fail("InsufficientGas", chain.add_stake, poor, chain.get_validators()[0].address, 1)
    assert err.fee == 700
    assert chain.get_balance(poor) == 0


def test_transfer_checks_amount_plus_fees_before_gas(chain):
    # coin.rs:55-65 — TransferCoin pre-checks amount + value fee + 2 writes → InsufficientCoinBalance (Erratum 5)
    small = addr("small")
    fund(chain, small, 1500)                         # 500 left after the base fee: not 1 + 600
    expect_fail("InsufficientCoinBalance", chain.transfer_coin, small, addr("x"), 1)
    assert chain.get_balance(small) == 500


def test_fee_beyond_gas_coin_fails_insufficient_gas(chain):
    # prepare_gas.rs:244-247 — the write fee is charged after execution: a 2-write commit on 500 shannons fails
    small = addr("small")
    fund(chain, small, SOMA + 501_900 + 1500)
    model_id = chain.create_model(small, SOMA, 0).model_id
    assert chain.get_balance(small) == 1500
    err = expect_fail("InsufficientGas", chain.commit_model, small, commit_spec(model_id, embedding(1), bytes(32)))
    assert err.fee == 1000 and chain.get_balance(small) == 500
    assert chain.get_model(model_id).state.value == "created"


def test_merge_is_the_sdk_transfer_of_the_smallest_coin_to_self(chain):
    # sdk/src/lib.rs:737-743 + coin.rs:150-156, 473-486 (Erratum 4): gas = every other coin, merged into the
    # first of them; the smallest coin stays; fee = 1000 + 2×300 + bps_mul(smallest, value_fee_bps)
    coins = sorted(chain.list_coins(DEMO), key=lambda c: (c.balance, c.id))
    total = sum(c.balance for c in coins)
    smallest = coins[0]
    result = chain.merge_coins(DEMO)
    assert result.fee == 1000 + 2 * 300 + smallest.balance * 10 // 10_000
    after = {c.id: c.balance for c in chain.list_coins(DEMO)}
    assert after == {smallest.id: smallest.balance, coins[1].id: total - smallest.balance - result.fee}


def test_emptied_gas_coin_is_deleted(chain):
    # prepare_gas.rs:268-271 (Erratum 3): a gas coin that reaches 0 is deleted, never listed with balance 0
    poor = addr("poor")
    fund(chain, poor, 700)
    expect_fail("InsufficientGas", chain.transfer_coin, poor, addr("x"), 1)
    assert chain.list_coins(poor) == []
    exact = addr("exact")
    fund(chain, exact, 1000 + 600 + 5 * SOMA + 5 * SOMA * 10 // 10_000)
    result = chain.transfer_coin(exact, addr("y"), 5 * SOMA)
    assert result.fee == 1000 + 600 + 5 * SOMA * 10 // 10_000
    assert chain.list_coins(exact) == []
    logged = chain.get_transaction(result.digest)
    assert chain.list_coins(addr("y"))[0].balance == 5 * SOMA and len(logged["deleted"]) == 1


def test_quiet_chain_value_fee_goes_10_9_8_7_and_stays(chain):
    seen = []
    for _ in range(5):
        seen.append(chain.advance_epoch().value_fee_bps)
    assert seen == [9, 8, 7, 7, 7]


def test_fees_are_paid_out_at_the_boundary(chain):
    result = chain.transfer_coin(DEMO, addr("bob"), SOMA)
    assert chain.supply_audit()["fees_this_epoch"] == result.fee
    chain.advance_epoch()
    assert chain.supply_audit()["fees_this_epoch"] == 0
