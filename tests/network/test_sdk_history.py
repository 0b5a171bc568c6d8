"""History of one address on a soma-sdk network (network/sdk/history.py), over the fake SomaClient backed by
the real sandbox: incoming transfers and faucet coins with sender and exact amount, the app's own sends by
digest, bounded and cached get_transaction calls, and the documented blind spot (incoming funds spent since)."""

from __future__ import annotations

from soma_desktop.core.amounts import SHANNONS_PER_SOMA
from soma_desktop.network.account_history import Direction
from soma_desktop.network.sandbox import genesis
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run

BIG = 5 * SHANNONS_PER_SOMA + 7            # above 2^32 shannons


def test_incoming_transfer_shows_sender_and_exact_amount(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo, bob = backend.network, demo_signer(), fresh_signer()
            assert callable(getattr(net, "list_account_transactions", None))   # what chain_history.py checks
            sent = await net.transfer_coin(demo, bob.address, BIG)
            [row] = await net.list_account_transactions(bob.address)
            assert (row.digest, row.direction, row.sender, row.counterparty, row.amount, row.fee) == (
                sent.digest, Direction.IN, demo.address, demo.address, BIG, 0)
            assert row.status == "success" and row.kind == "CoinsReceived"
            mine = [r for r in await net.list_account_transactions(demo.address) if r.digest == sent.digest]
            assert [(r.direction, r.kind, r.counterparty, r.amount, r.fee) for r in mine] == [
                (Direction.OUT, "TransferCoin", bob.address, BIG, sent.fee)]
    run(scenario())


def test_faucet_coin_appears_and_newest_comes_first(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo, bob = backend.network, demo_signer(), fresh_signer()
            faucet = await net.request_faucet(bob.address)
            await net.advance_epoch()
            later = await net.transfer_coin(demo, bob.address, BIG)
            rows = await net.list_account_transactions(bob.address)
            assert [(r.digest, r.counterparty) for r in rows] == [
                (later.digest, demo.address), (faucet.digest, genesis.FAUCET_ADDRESS)]
            assert rows[1].amount == sum(c.balance for c in await net.list_coins(bob.address)) - BIG
            assert rows[0].epoch > rows[1].epoch
    run(scenario())


def test_incoming_funds_spent_since_are_not_found_but_own_sends_are(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo, bob, carol = backend.network, demo_signer(), fresh_signer(), fresh_signer()
            received = await net.transfer_coin(demo, bob.address, BIG)
            spent = await net.transfer_coin(bob, carol.address, SHANNONS_PER_SOMA)   # rewrites bob's only coin
            rows = await net.list_account_transactions(bob.address)
            assert received.digest not in [r.digest for r in rows]
            assert [(r.digest, r.direction, r.counterparty, r.amount) for r in rows] == [
                (spent.digest, Direction.OUT, carol.address, SHANNONS_PER_SOMA)]
            [incoming] = await net.list_account_transactions(carol.address)
            assert (incoming.sender, incoming.amount) == (bob.address, SHANNONS_PER_SOMA)
    run(scenario())


def test_get_transaction_calls_are_bounded_and_cached(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo, bob = backend.network, demo_signer(), fresh_signer()
            for i in range(3):
                await net.transfer_coin(demo, bob.address, SHANNONS_PER_SOMA + i)
            calls = backend.chain.calls
            assert len(await net.list_account_transactions(bob.address, limit=2)) == 2
            assert calls.count("get_transaction") == 2
            rows = await net.list_account_transactions(bob.address)
            assert calls.count("get_transaction") == 3           # the two seen before come from the cache
            assert sorted(r.amount for r in rows) == [SHANNONS_PER_SOMA + i for i in range(3)]
    run(scenario())


def test_sent_amount_is_unknown_once_the_node_cannot_serve_the_old_version(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo, bob, carol = backend.network, demo_signer(), fresh_signer(), fresh_signer()
            await net.transfer_coin(demo, bob.address, BIG)
            first = await net.transfer_coin(bob, carol.address, SHANNONS_PER_SOMA)
            await net.transfer_coin(demo, carol.address, 3)
            await net.merge_coins(carol)             # carol's coin from bob is rewritten: its version is gone
            [row] = [r for r in await net.list_account_transactions(bob.address) if r.digest == first.digest]
            assert (row.direction, row.counterparty, row.amount) == (Direction.OUT, carol.address, None)
    run(scenario())
