"""Finding 4: the SDK's random gas coin among the 8 richest; check before sending, offer Merge first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk.coin_check import CoinAdvice, check_coins
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run

FEE = 3_000_000                     # a few base + write fees
BIG = 7_000_000_000_000             # 7,000 SOMA


def test_dust_among_the_richest_eight_asks_for_a_merge():
    verdict = check_coins([BIG, 1_000, 2_000], 10_000_000_000, FEE)
    assert verdict.advice is CoinAdvice.MERGE_FIRST and "Merge coins first" in verdict.reason
    assert verdict.candidates == (BIG, 2_000, 1_000)


def test_a_dust_smallest_coin_is_a_bounded_risk_merge_cannot_remove():
    """protocol.md Errata 4: the SDK's merge keeps the smallest coin apart."""
    verdict = check_coins([BIG, 1_000], 10_000_000_000, FEE)
    assert verdict.advice is CoinAdvice.DUST_RISK and not verdict.blocks
    assert "1 time in 2" in verdict.reason


def test_dust_beyond_the_richest_eight_is_never_picked():
    assert check_coins([BIG] * 8 + [5], 10_000_000_000, FEE).ok


def test_the_amount_must_fit_one_coin():
    verdict = check_coins([6_000_000_000] * 3, 10_000_000_000, FEE)
    assert verdict.advice is CoinAdvice.MERGE_FIRST and "No single coin" in verdict.reason
    assert check_coins([3, 4], 10, 10).advice is CoinAdvice.INSUFFICIENT
    # Merging keeps the smallest coin apart: two equal coins can never hold their sum in one.
    assert check_coins([6_000_000_000] * 2, 10_000_000_000, FEE).advice is CoinAdvice.INSUFFICIENT


def test_a_stake_paid_from_the_gas_coin_needs_every_candidate_to_hold_it():
    assert check_coins([BIG, BIG // 4, BIG // 8], BIG // 2, FEE, amount_from_gas=True).advice is CoinAdvice.MERGE_FIRST
    risky = check_coins([BIG, BIG, BIG // 4], BIG // 2, FEE, amount_from_gas=True)
    assert risky.advice is CoinAdvice.DUST_RISK and "costs the fee" in risky.reason
    assert check_coins([BIG, BIG], BIG // 2, FEE, amount_from_gas=True).ok


@given(st.lists(st.integers(min_value=0, max_value=2**63), min_size=1, max_size=20),
       st.integers(min_value=0, max_value=2**62), st.integers(min_value=0, max_value=10**9))
def test_ok_means_any_pick_can_pay_and_merge_advice_means_a_merge_can(balances, amount, fee):
    verdict = check_coins(balances, amount, fee)
    ordered = sorted(balances, reverse=True)
    top = ordered[:8]
    if verdict.ok:
        assert all(b >= fee for b in top) and top[0] >= amount + fee
    if verdict.advice is CoinAdvice.MERGE_FIRST:
        merged = sum(ordered) - (ordered[-1] if len(ordered) > 1 else 0)
        assert merged >= amount + fee


def test_the_adapter_checks_the_accounts_coins_and_merge_clears_it(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net = b.network
            signer = fresh_signer()
            for amount in (BIG, 1_000, 2_000):                                   # two dust coins
                await net.transfer_coin(demo_signer(), signer.address, amount)
            verdict = await net.check_coins(signer.address, 10_000_000_000, FEE)
            assert verdict.advice is CoinAdvice.MERGE_FIRST
            await net.merge_coins(signer)
            after = await net.check_coins(signer.address, 10_000_000_000, FEE)
            assert after.advice is CoinAdvice.DUST_RISK and len(after.candidates) == 2   # the smallest stays apart
    run(scenario())


def test_a_transfer_with_dust_among_the_candidates_is_refused_until_merged(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net = b.network
            signer = fresh_signer()
            for amount in (BIG, 1_000, 2_000):                                   # two dust coins
                await net.transfer_coin(demo_signer(), signer.address, amount)
            await net.get_system_state()                                         # fee parameters known
            with pytest.raises(InvalidInput, match="Merge coins first") as refused:
                await net.transfer_coin(signer, demo_signer().address, 10_000_000_000)
            assert refused.value.field == "merge_first"
            await net.merge_coins(signer)
            assert (await net.transfer_coin(signer, demo_signer().address, 10_000_000_000)).digest
    run(scenario())
