"""The publish pre-check charges CreateModel what the chain charges: half the value fee on the stake."""

from __future__ import annotations

import asyncio

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner, _tx_reserve
from tests.publish.publish_helpers import TestSigner, embedding, open_test_sandbox

STAKE = 1_000 * 10**9                                    # a normal publishing stake, far above 2^32 shannons


def test_a_coin_holding_stake_plus_the_chain_fee_plus_reserve_can_publish(tmp_path, blob_server, wrapping_key,
                                                                          weights_file):
    async def main():
        net = open_test_sandbox(tmp_path / "sandbox.db")
        state = await net.get_system_state()
        fee = estimate_fee(ChainTx.CREATE_MODEL, FeeParams.from_state(state), STAKE).total
        assert fee == 1_000 + 900 + STAKE * (state.value_fee_bps // 2) // 10_000   # model.rs:410-442, §6.3
        owner = "0x" + "ab" * 32
        need = STAKE + fee + _tx_reserve(state)
        net.chain.transfer_coin(SANDBOX_DEMO_ADDRESS, owner, need)        # one coin, exactly enough
        journal = Journal(tmp_path / "publish.db", wrapping_key)
        runner = PublishRunner(journal, net, TestSigner(owner), work_dir=tmp_path / "work", blob_server=blob_server)
        job = runner.start_publish()
        await runner.set_weights(job.id, weights_file)
        await runner.set_embedding(job.id, embedding(1))
        await runner.encrypt(job.id)
        await runner.host_local(job.id)
        await runner.verify(job.id)
        job = await runner.create(job.id, STAKE, 100)                     # refused before: full value fee
        assert job.state is JobState.CREATED, job.last_error
        assert await net.get_balance(owner) == need - STAKE - fee
        journal.close()
        await net.close()

    asyncio.run(main())
