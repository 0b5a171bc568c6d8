"""What the Wallet and Staking panels read through the services (real sandbox): network facts, balances,
the chain history of all accounts, coin quotes and stake positions. No panel touches the network itself."""

from __future__ import annotations

import pytest

from soma_desktop.network.account_history import Direction
from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.chain_history import received_total, signed_amount
from soma_desktop.services.network_facts import NetworkFacts
from soma_desktop.services.stake_positions import StakeState
from soma_desktop.services.staking import StakingService
from soma_desktop.services.wallet import WalletService
from tests.services.test_wallet_service import BIG, RECIPIENT, SANDBOX_DEMO_ADDRESS, Signer, _warm


@pytest.fixture
def wallet(cache, tmp_path):
    return WalletService(cache, tmp_path)


def test_facts_name_the_open_network_and_none_while_offline(cache, wallet, tmp_path):
    assert wallet.facts() == NetworkFacts("Sandbox", is_sandbox=True, has_faucet=True, can_advance_epoch=True,
                                          lists_history=True)
    offline = WalletService(ChainCache(), tmp_path)
    assert offline.facts() is None
    assert offline.quote([], None).sandbox          # offline quotes as the sandbox pays: the richest coin


def test_balances_come_from_the_cache_and_refresh_reads_only_coins(loop, counted, cache, wallet):
    assert wallet.coins(SANDBOX_DEMO_ADDRESS) is None and wallet.balance(SANDBOX_DEMO_ADDRESS) is None
    counted.reset()
    loop.run_until_complete(wallet.refresh_coins([SANDBOX_DEMO_ADDRESS, RECIPIENT]))
    assert counted.reads == {"list_coins": 2} and counted.transactions == {}
    balance = wallet.balance(SANDBOX_DEMO_ADDRESS)
    assert balance is not None and balance.total > 2**32 and balance.total == sum(
        c.balance for c in wallet.coins(SANDBOX_DEMO_ADDRESS))
    assert wallet.balance(RECIPIENT).total == 0


def test_chain_history_merges_all_accounts_newest_first_with_signed_amounts(loop, cache, wallet):
    _warm(loop, cache)
    record = loop.run_until_complete(wallet.send(Signer(), RECIPIENT, BIG))
    rows = loop.run_until_complete(wallet.chain_history([SANDBOX_DEMO_ADDRESS, RECIPIENT]))
    sent = [(a, tx) for a, tx in rows if tx.digest == record.digest]
    assert {(a, tx.direction, signed_amount(tx)) for a, tx in sent} == {
        (SANDBOX_DEMO_ADDRESS, Direction.OUT, -BIG), (RECIPIENT, Direction.IN, BIG)}
    assert len({(a, tx.digest) for a, tx in rows}) == len(rows)          # one row per account and digest
    order = [(tx.timestamp_ms, tx.epoch) for _a, tx in rows]
    assert order == sorted(order, reverse=True)
    assert received_total([(a, tx) for a, tx in rows if a == RECIPIENT]) == BIG


def test_quote_follows_the_open_network_and_the_chain_fee_parameters(loop, cache, wallet):
    _warm(loop, cache)
    coins = wallet.coins(SANDBOX_DEMO_ADDRESS)
    quote = wallet.quote(coins, cache.state())
    assert quote.sandbox and quote.balance == wallet.balance(SANDBOX_DEMO_ADDRESS).total
    assert quote.params.value_fee_bps == cache.state().value_fee_bps
    send = quote.send(BIG)
    assert send.exact and send.total_low > BIG


def test_positions_of_the_snapshot_account_only(loop, cache, wallet):
    _warm(loop, cache)
    staking = StakingService(cache, wallet)
    validator = cache.validators()[0].address
    loop.run_until_complete(staking.stake(Signer(), validator, BIG))
    snap = loop.run_until_complete(staking.snapshot(SANDBOX_DEMO_ADDRESS))
    (position,) = snap.positions(SANDBOX_DEMO_ADDRESS)
    assert position.state is StakeState.ACTIVATING and position.stake.principal == BIG
    assert position.target_id == validator and position.rewards == 0 and position.value == BIG
    assert snap.positions(RECIPIENT) == [] and snap.positions(None) == []
