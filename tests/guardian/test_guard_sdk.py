"""The guard pass over soma-sdk (fake): an unknown reveal outcome is never sent twice, and is sent again once the
chain shows it did not execute."""

from __future__ import annotations

import pytest

from soma_desktop.guardian.guard import guard_pass
from soma_desktop.network.sandbox import SANDBOX_DEMO_MNEMONIC
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import UrlPolicy
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner
from soma_desktop.publish.workflow import Action
from soma_desktop.wallet.vault import Argon2Params, Vault, VaultPolicy
from tests.network import fake_sdk
from tests.network.conftest import open_backend, run
from tests.publish.publish_helpers import embedding, make_safetensors

FAST = Argon2Params(m_kib=64, t=1, p=1)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _committed(net, data_dir, vault) -> int:
    journal = Journal(data_dir / "publish" / "journal.db", vault.journal_key())
    dim = (await net.get_system_state()).target_embedding_dim
    try:
        with BlobServer(data_dir / "blobs") as server:
            runner = PublishRunner(journal, net, vault.accounts[0], work_dir=data_dir / "publish" / "work",
                                   blob_server=server, url_policy=UrlPolicy(allow_loopback=True))
            job = runner.start_publish()
            for _ in range(30):
                action = (await runner.decide(job.id)).action
                if action is Action.WAIT_EPOCH:
                    break
                if action is Action.ASK_WEIGHTS:
                    await runner.set_weights(job.id, make_safetensors(data_dir / "m.safetensors"))
                elif action is Action.ASK_EMBEDDING:
                    await runner.set_embedding(job.id, embedding(dim=dim))
                elif action is Action.ASK_HOSTING:
                    await runner.host_local(job.id)
                elif action is Action.ASK_CREATE:
                    await runner.create(job.id, 2_000_000_000_000, 100)
                else:
                    await runner.advance(job.id, confirm=True)
            assert journal.get(job.id).state is JobState.COMMITTED
            return job.id
    finally:
        journal.close()


def _state(data_dir, vault, job_id) -> JobState:
    journal = Journal(data_dir / "publish" / "journal.db", vault.journal_key())
    try:
        return journal.get(job_id).state
    finally:
        journal.close()


@pytest.mark.parametrize("fault", [fake_sdk.TIMEOUT_BEFORE_FINALITY, fake_sdk.CONNECTION_DROPPED])
def test_an_unknown_reveal_is_not_resent_until_the_chain_says_it_did_not_execute(tmp_path, fault):
    data_dir = tmp_path / "data"
    (data_dir / "publish").mkdir(parents=True)
    vault = Vault.create(data_dir / "wallet.vault", "correct horse battery staple 42", SANDBOX_DEMO_MNEMONIC,
                         policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    unlock = lambda path: Vault.open(path, "correct horse battery staple 42",   # noqa: E731
                                     policy=VaultPolicy(default_kdf=FAST, floor=FAST))

    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net, chain = b.network, b.chain
            clock = Clock()
            net.outcomes.clock = clock
            job_id = await _committed(net, data_dir, vault)
            await net.advance_epoch()
            chain.faults["reveal_model"] = fault
            first = await guard_pass(data_dir, net, unlock=unlock)
            assert not first.revealed and chain.calls.count("reveal_model") == 1
            assert _state(data_dir, vault, job_id) is JobState.REVEAL_SENT
            again = await guard_pass(data_dir, net, unlock=unlock)        # still unresolved: nothing is sent
            assert not again.revealed and chain.calls.count("reveal_model") == 1
            clock.now += net.outcomes.settle_s                             # the chain shows no effect for long
            last = await guard_pass(data_dir, net, unlock=unlock)
            assert last.revealed and chain.calls.count("reveal_model") == 2
            assert _state(data_dir, vault, job_id) is JobState.REVEALED
    run(scenario())
    vault.lock()
