"""WalletService on the real sandbox: one Send is one transaction plus the reads its effects need."""

from __future__ import annotations

import asyncio

import pytest

from soma_desktop.network.errors import TransactionFailed
from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.services.chain_cache import MODELS, VALIDATORS, Change, Kind
from soma_desktop.services.staking import StakingService
from soma_desktop.services.wallet import WalletService
from soma_desktop.wallet.history import TxKind, TxStatus

RECIPIENT = "0x" + "cd" * 32
BIG = 5 * 2**32 + 17          # above 2^32 shannons


class Signer:
    address = SANDBOX_DEMO_ADDRESS

    def secret_key(self) -> bytes:
        return b"\x07" * 32


@pytest.fixture
def wallet(cache, tmp_path):
    return WalletService(cache, tmp_path)


def _warm(loop, cache):
    """What the running app keeps fresh: state, models, validators, the wallet's coins and stakes."""
    cache.watch(MODELS, VALIDATORS)
    cache.watch_accounts([SANDBOX_DEMO_ADDRESS, RECIPIENT])
    loop.run_until_complete(cache.tick())


def test_one_send_is_one_transaction_and_at_most_three_reads(loop, counted, cache, wallet):
    _warm(loop, cache)
    before = sum(c.balance for c in cache.coins(SANDBOX_DEMO_ADDRESS))
    changes: list[Change] = []
    cache.subscribe(changes.append)
    counted.reset()
    record = loop.run_until_complete(wallet.send(Signer(), RECIPIENT, BIG))
    assert sum(counted.transactions.values()) == 1 and counted.transactions["transfer_coin"] == 1
    assert sum(counted.reads.values()) <= 3, counted.reads
    assert record.status is TxStatus.CONFIRMED and record.amount == BIG and record.fee > 0 and record.digest
    assert sum(c.balance for c in cache.coins(RECIPIENT)) == BIG
    assert sum(c.balance for c in cache.coins(SANDBOX_DEMO_ADDRESS)) == before - BIG - record.fee
    assert {c.key.address for c in changes if c.key.kind is Kind.COINS} == {SANDBOX_DEMO_ADDRESS, RECIPIENT}
    history = loop.run_until_complete(wallet.history(SANDBOX_DEMO_ADDRESS))
    assert [(r.kind, r.amount, r.counterparty) for r in history] == [(TxKind.TRANSFER, BIG, RECIPIENT)]


def test_a_refused_send_is_recorded_with_the_chains_reason(loop, counted, cache, wallet):
    _warm(loop, cache)
    too_much = sum(c.balance for c in cache.coins(SANDBOX_DEMO_ADDRESS)) + 1
    with pytest.raises(TransactionFailed):
        loop.run_until_complete(wallet.send(Signer(), RECIPIENT, too_much))
    (record,) = loop.run_until_complete(wallet.history(SANDBOX_DEMO_ADDRESS))
    assert record.status is TxStatus.FAILED and record.reason and record.amount == too_much


def test_faucet_records_what_arrived(loop, counted, cache, wallet):
    _warm(loop, cache)
    record = loop.run_until_complete(wallet.faucet(RECIPIENT))
    assert record.kind is TxKind.FAUCET and record.amount > 0
    assert sum(c.balance for c in cache.coins(RECIPIENT)) == record.amount


def test_merge_and_csv_export(loop, counted, cache, wallet, tmp_path):
    _warm(loop, cache)
    loop.run_until_complete(wallet.faucet(SANDBOX_DEMO_ADDRESS))
    assert len(cache.coins(SANDBOX_DEMO_ADDRESS)) > 1
    loop.run_until_complete(wallet.merge(Signer()))
    assert len(cache.coins(SANDBOX_DEMO_ADDRESS)) == 2   # the SDK merge keeps the smallest coin apart (Erratum 4)
    assert loop.run_until_complete(wallet.export_csv(str(tmp_path / "tx.csv"), SANDBOX_DEMO_ADDRESS)) == 2


def test_staking_snapshot_costs_no_read_when_the_cache_is_warm(loop, counted, cache, wallet):
    _warm(loop, cache)
    staking = StakingService(cache, wallet)
    counted.reset()
    snap = loop.run_until_complete(staking.snapshot(SANDBOX_DEMO_ADDRESS))
    assert counted.reads == {} and snap.balance > 2**32 and len(snap.validators) == 4


def test_stake_touches_coins_stakes_and_validators_only(loop, counted, cache, wallet):
    _warm(loop, cache)
    staking = StakingService(cache, wallet)
    validator = cache.validators()[0].address
    counted.reset()
    outcome = loop.run_until_complete(staking.stake(Signer(), validator, BIG))
    assert counted.transactions == {"add_stake": 1}
    assert counted.reads == {"list_coins": 1, "list_staked_soma": 1, "get_validators": 1}
    assert outcome.record.kind is TxKind.STAKE
    (stake,) = cache.stakes(SANDBOX_DEMO_ADDRESS)
    assert stake.principal == BIG
    outcome = loop.run_until_complete(staking.withdraw(Signer(), stake.id, validator, BIG))
    assert cache.stakes(SANDBOX_DEMO_ADDRESS) == [] and outcome.record.kind is TxKind.WITHDRAW_STAKE


def test_concurrent_readers_open_the_history_store_once(loop, counted, cache, wallet):
    _warm(loop, cache)

    async def two():
        return await asyncio.gather(wallet.history(SANDBOX_DEMO_ADDRESS), wallet.history(RECIPIENT))
    assert loop.run_until_complete(two()) == [[], []]
