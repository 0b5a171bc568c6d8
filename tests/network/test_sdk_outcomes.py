"""Findings 1-3 on the fake soma-sdk: honest outcomes, the locked gas coin, resolution from chain state."""

from __future__ import annotations

import asyncio

import pytest

from soma_desktop.network.errors import InvalidInput, StatusUnknown, TransactionFailed
from tests.network import fake_sdk
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run

TEN_SOMA = 10_000_000_000
BIG = 5_000_000_000_000          # 5,000 SOMA, above 2^32 shannons


async def _one_coin_account(net, amount: int = BIG):
    signer = fresh_signer()
    await net.transfer_coin(demo_signer(), signer.address, amount)
    assert len(await net.list_coins(signer.address)) == 1
    return signer


@pytest.mark.parametrize("fault,executed", list(fake_sdk.OPEN_OUTCOMES.items()))
def test_an_open_outcome_is_unknown_blocks_a_resend_and_resolves_from_chain_state(tmp_path, fault, executed):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net, chain = b.network, b.chain
            signer = await _one_coin_account(net)
            chain.faults["transfer_coin"] = fault
            with pytest.raises(StatusUnknown):
                await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            sent = chain.calls.count("transfer_coin")
            if not executed:          # nothing changed yet: a resend is refused without sending
                with pytest.raises(StatusUnknown, match="nothing was sent"):
                    await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)
                assert chain.calls.count("transfer_coin") == sent
                await chain.network.advance_epoch()       # the chain moved on without it: it did not execute
            resolution = await net.resolve_outcome(signer.address)
            assert resolution is not None and resolution.executed is executed
            assert net.unresolved(signer.address) is None
            balance = await net.get_balance(signer.address)
            assert (balance < BIG - TEN_SOMA) is executed
            await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)   # resolved: sending works again
    run(scenario())


def test_a_cancelled_call_does_not_leave_the_gas_coin_locked(tmp_path):
    """Finding 2: after our timeout cancels a transaction, the next one must not fail on a reserved coin."""
    async def scenario():
        async with open_backend("sdk-fake", tmp_path, tx_timeout_s=0.3) as b:
            net, chain = b.network, b.chain
            signer = await _one_coin_account(net)
            chain.gates["transfer_coin"] = asyncio.Event()              # the node never answers
            with pytest.raises(StatusUnknown):
                await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            del chain.gates["transfer_coin"]
            await chain.network.advance_epoch()
            assert (await net.resolve_outcome(signer.address)).executed is False
            result = await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            assert result.digest
            stale = [c for c in chain.clients if c.in_flight_coins]
            assert stale and all(c not in net._clients.values() for c in stale)   # the locked client is gone
    run(scenario())


def test_the_sdk_locked_coin_message_is_not_reported_as_an_empty_account(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            signer = await _one_coin_account(b.network)
            client = await b.network._client("tx")
            client.in_flight_coins.update(c.id for c in await b.network.list_coins(signer.address))
            with pytest.raises(InvalidInput, match="unconfirmed earlier transaction"):
                await b.network.transfer_coin(signer, demo_signer().address, TEN_SOMA)
    run(scenario())


def test_a_stake_with_a_checkpoint_timeout_resolves_as_executed(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net, chain = b.network, b.chain
            signer = await _one_coin_account(net)
            validator = (await net.get_validators())[0].address
            chain.checkpoint_timeouts.add("add_stake")
            with pytest.raises(StatusUnknown):
                await net.add_stake(signer, validator, 2 * TEN_SOMA)
            resolution = await net.resolve_outcome(signer.address)
            assert resolution.executed and resolution.kind == "add_stake"
            assert [s.principal for s in await net.list_staked_soma(signer.address)] == [2 * TEN_SOMA]
    run(scenario())


def test_a_node_rejection_is_still_a_rejection(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            signer = await _one_coin_account(b.network)
            rejection = fake_sdk.rejected("InvalidArgument", "InvalidOwnership: not yours")
            fake_sdk.OPEN_OUTCOMES[rejection] = False          # the fake does not execute it
            b.chain.faults["transfer_coin"] = rejection
            try:
                with pytest.raises(TransactionFailed) as err:
                    await b.network.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            finally:
                del fake_sdk.OPEN_OUTCOMES[rejection]
            assert err.value.error_name == "InvalidOwnership"
            assert b.network.unresolved(signer.address) is None
    run(scenario())


def test_history_shows_the_resolution(tmp_path):
    from soma_desktop.network.sdk.outcomes import resolve_history
    from soma_desktop.wallet.history import TxHistory, TxKind, TxStatus

    async def scenario():
        store = TxHistory(tmp_path / "history.db")
        async with open_backend("sdk-fake", tmp_path) as b:
            net, chain = b.network, b.chain
            signer = await _one_coin_account(net)
            record = store.add("localnet", signer.address, TxKind.TRANSFER, TEN_SOMA)
            chain.faults["transfer_coin"] = fake_sdk.CHECKPOINT_STREAM_ERROR
            with pytest.raises(StatusUnknown) as unknown:
                await net.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            store.update(record.id, reason=str(unknown.value))
            assert await resolve_history(store, net, "localnet", signer.address) == 1
            final = store.get(record.id)
            assert final.status is TxStatus.CONFIRMED and "executed" in final.reason
            assert await resolve_history(store, net, "localnet", signer.address) == 0
        store.close()
    run(scenario())


def test_an_unknown_outcome_survives_a_restart_and_still_resolves(tmp_path):
    from soma_desktop.network.sdk.outcomes import resolve_history
    from soma_desktop.wallet.history import TxHistory, TxKind, TxStatus

    path = tmp_path / "outcomes" / "x.json"

    async def scenario():
        store = TxHistory(tmp_path / "history.db")
        async with open_backend("sdk-fake", tmp_path, outcomes_path=path) as b:
            signer = await _one_coin_account(b.network)
            record = store.add("localnet", signer.address, TxKind.TRANSFER, TEN_SOMA)
            b.chain.faults["transfer_coin"] = fake_sdk.CHECKPOINT_TIMEOUT
            with pytest.raises(StatusUnknown) as unknown:
                await b.network.transfer_coin(signer, demo_signer().address, TEN_SOMA)
            store.update(record.id, reason=str(unknown.value))
            # "Restart": a new network object for the same chain, reading the same file.
            from soma_desktop.network.sdk import open_sdk_network
            again = await open_sdk_network(fake_sdk_url(), client_factory=b.chain.factory, outcomes_path=path)
            assert again.unresolved(signer.address) == "transfer_coin"
            assert await resolve_history(store, again, "localnet", signer.address) == 1
            assert store.get(record.id).status is TxStatus.CONFIRMED
            assert again.unresolved(signer.address) is None
            assert "transfer_coin" not in path.read_text()
        store.close()
    run(scenario())


def fake_sdk_url() -> str:
    from tests.network.conftest import FAKE_RPC
    return FAKE_RPC


def test_coins_received_meanwhile_do_not_count_as_our_execution():
    from soma_desktop.network.sdk.outcomes import OutcomeTracker, Snapshot

    clock = iter([0.0, 1.0, 2.0]).__next__
    tracker = OutcomeTracker(clock=clock)
    mine = ("0x" + "01" * 32, 5, "D1")
    tracker.record("transfer_coin", "abc", Snapshot(3, frozenset({mine}), frozenset()), "timed out")
    received = Snapshot(3, frozenset({mine, ("0x" + "02" * 32, 9, "D2")}), frozenset())
    assert tracker.decide("abc", received) is None                      # still open: our coin is untouched
    spent = Snapshot(3, frozenset({(mine[0], 6, "D3")}), frozenset())
    assert tracker.decide("abc", spent).executed is True
