"""What a send or stake costs before signing (services/quotes.py): limits, fee ranges, totals, coin checks."""

from __future__ import annotations

from soma_desktop.network.sdk.coin_check import CoinAdvice
from soma_desktop.network.types import Coin
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee, fee_reserve, fee_span, max_amount
from soma_desktop.services.quotes import CoinsQuote, coin_verdict, merge_fee, withdraw_fee

OWNER = "0x" + "aa" * 32
PARAMS = FeeParams()


def _coins(*balances: int) -> list[Coin]:
    return [Coin(f"0x{i:064x}", OWNER, balance) for i, balance in enumerate(balances)]


def test_coin_verdict_uses_the_sdk_pick_on_real_networks_and_the_richest_coin_on_the_sandbox():
    coins = _coins(50 * 10**9, 1_000, 900, 10**9)
    fee = 5_000
    assert coin_verdict(coins, 10**9, fee, sandbox=False).advice is CoinAdvice.MERGE_FIRST   # a dust coin may pay
    assert coin_verdict(coins, 10**9, fee, sandbox=True).advice is CoinAdvice.OK             # the richest pays
    assert coin_verdict(coins, 50 * 10**9, fee, sandbox=True).advice is CoinAdvice.MERGE_FIRST
    assert coin_verdict(coins, 60 * 10**9, fee, sandbox=True).advice is CoinAdvice.INSUFFICIENT


def test_split_coins_send_up_to_what_a_merge_would_build():
    big, small = 7 * 2**32, 3 * 2**32
    quote = CoinsQuote.of(_coins(big, small, 2**32), PARAMS, sandbox=True)
    assert quote.split and quote.balance == big + small + 2**32 and quote.largest == big
    merged = big + small - merge_fee(quote.coins, PARAMS)             # the merge keeps the smallest coin apart
    assert merge_fee(quote.coins, PARAMS) == estimate_fee(ChainTx.MERGE_COINS, PARAMS, 2**32).total
    assert quote.send_limit() == (max_amount(ChainTx.TRANSFER_COIN, merged, PARAMS), True)
    single = CoinsQuote.of(_coins(big), PARAMS, sandbox=True)
    assert single.send_limit() == (max_amount(ChainTx.TRANSFER_COIN, big, PARAMS), False) and not single.split


def test_send_fee_is_a_range_only_where_the_sdk_picks_the_gas_coin():
    amount = 5 * 2**32
    coins = _coins(9 * 2**32, 2**32)
    sandbox = CoinsQuote.of(coins, PARAMS, sandbox=True).send(amount)
    assert sandbox.exact and sandbox.total_low == amount + estimate_fee(ChainTx.TRANSFER_COIN, PARAMS, amount).total
    real = CoinsQuote.of(coins, PARAMS, sandbox=False).send(amount)
    low, high = fee_span(ChainTx.TRANSFER_COIN, PARAMS, amount, random_gas_coin=True)
    assert (real.fee_low, real.fee_high) == (low.total, high.total) and not real.exact
    assert real.total_high == amount + high.total


def test_stake_keeps_a_fee_reserve_and_withdraw_pays_on_the_principal():
    quote = CoinsQuote.of(_coins(9 * 2**32), PARAMS, sandbox=True)
    assert quote.max_stake() == max_amount(ChainTx.ADD_STAKE, 9 * 2**32, PARAMS, reserve=fee_reserve(PARAMS))
    assert quote.max_stake() < quote.stake_limit()
    stake = quote.stake(ChainTx.ADD_STAKE, 2**33)
    assert stake.exact and stake.total_low == 2**33 + estimate_fee(ChainTx.ADD_STAKE, PARAMS, 2**33).total
    assert withdraw_fee(2**35, PARAMS) == estimate_fee(ChainTx.WITHDRAW_STAKE, PARAMS, 2**35).total
