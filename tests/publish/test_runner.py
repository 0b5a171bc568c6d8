"""The runner on the real sandbox: unknown outcomes, epoch gates, pre-checks, update flow, back/cancel."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from soma_desktop.network.errors import StatusUnknown
from soma_desktop.network.types import ModelState
from soma_desktop.publish.journal import JobState, Journal, WrongWrappingKey
from soma_desktop.publish.runner import PublishError, PublishRunner, RevealNotAllowed
from soma_desktop.publish.workflow import Action
from tests.publish.publish_helpers import ONE_SOMA, TestSigner, drive, embedding, make_safetensors, open_test_sandbox


class Flaky:
    """Wraps a Network; the next call of a named method raises StatusUnknown, before or after executing."""

    def __init__(self, net):
        self._net = net
        self.fail: dict[str, str] = {}

    def __getattr__(self, name):
        attr = getattr(self._net, name)
        mode = self.fail.pop(name, None)
        if mode is None:
            return attr

        async def call(*args, **kwargs):
            if mode == "executed":
                await attr(*args, **kwargs)
            raise StatusUnknown("checkpoint wait timed out")
        return call


async def _setup(tmp_path: Path, blob_server, wrapping_key: bytes, *, key: bytes | None = None):
    net = Flaky(open_test_sandbox(tmp_path / "sandbox.db"))
    journal = Journal(tmp_path / "publish.db", key or wrapping_key)
    runner = PublishRunner(journal, net, TestSigner(), work_dir=tmp_path / "work", blob_server=blob_server)
    return net, journal, runner


async def _verified(runner, weights: Path, seed: int = 1, model_id: str | None = None):
    job = runner.start_update(model_id) if model_id else runner.start_publish()
    await runner.set_weights(job.id, weights)
    await runner.set_embedding(job.id, embedding(seed))
    await runner.encrypt(job.id)
    await runner.host_local(job.id)
    job = await runner.verify(job.id)
    assert job.state is JobState.UPLOAD_VERIFIED, job.last_error
    return job


async def _txs(net) -> Counter:
    return Counter((t["kind"], t["status"]) for t in await net.list_transactions(address=TestSigner().address))


def test_create_with_unknown_outcome_recovers_the_model_id(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = await _verified(runner, weights_file)
        net.fail["create_model"] = "lost"                   # never reached the chain
        job = await runner.create(job.id, ONE_SOMA, 100)
        assert job.state is JobState.CREATE_SENT and job.model_id is None and "timed out" in job.last_error
        assert (await runner.decide(job.id)).action is Action.RECONCILE
        assert (await runner.reconcile(job.id)).state is JobState.CREATE_SENT   # no blind resend
        assert (await runner.retry_unknown(job.id)).state is JobState.UPLOAD_VERIFIED
        net.fail["create_model"] = "executed"               # landed, answer lost: the id comes from the chain
        job = await runner.create(job.id, ONE_SOMA, 100)
        assert job.state is JobState.CREATED and job.model_id is not None
        assert await _txs(net) == {("CreateModel", "success"): 1}
        assert (await net.get_model(job.model_id)).owner == TestSigner().address
        await journal_close(journal, net)

    asyncio.run(main())


def test_commit_unknown_outcome_executed_or_not(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = await _verified(runner, weights_file)
        job = await runner.create(job.id, ONE_SOMA, 100)
        net.fail["commit_model"] = "lost"                   # never reached the chain
        job = await runner.commit(job.id)
        assert job.state is JobState.COMMIT_SENT
        assert (await runner.reconcile(job.id)).state is JobState.COMMIT_SENT   # no blind resend
        with pytest.raises(PublishError):
            await runner.commit(job.id)
        assert (await runner.retry_unknown(job.id)).state is JobState.CREATED
        net.fail["commit_model"] = "executed"               # landed, answer lost
        job = await runner.commit(job.id)
        assert job.state is JobState.COMMITTED
        assert job.commit_epoch == (await net.get_model(job.model_id)).commit_epoch
        assert await _txs(net) == {("CreateModel", "success"): 1, ("CommitModel", "success"): 1}
        await journal_close(journal, net)

    asyncio.run(main())


@pytest.mark.parametrize("epochs_passed", [0, 1, 2])
def test_reveal_is_sent_only_in_commit_epoch_plus_one(tmp_path, blob_server, wrapping_key, weights_file,
                                                      epochs_passed):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = await _verified(runner, weights_file)
        await runner.create(job.id, ONE_SOMA, 100)
        job = await runner.commit(job.id)
        for _ in range(epochs_passed):
            await net.advance_epoch()
        before = await _txs(net)
        if epochs_passed == 1:
            assert (await runner.reveal(job.id)).state is JobState.REVEALED
            assert (await _txs(net))[("RevealModel", "success")] == 1
        else:
            with pytest.raises(RevealNotAllowed):
                await runner.reveal(job.id)
            assert await _txs(net) == before
            expected = JobState.COMMITTED if epochs_passed == 0 else JobState.MISSED_REVEAL
            assert journal.get(job.id).state is expected
        await journal_close(journal, net)

    asyncio.run(main())


def test_reveal_unknown_outcome_then_reconciled(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = await _verified(runner, weights_file)
        await runner.create(job.id, ONE_SOMA, 100)
        await runner.commit(job.id)
        await net.advance_epoch()
        net.fail["reveal_model"] = "lost"
        job = await runner.reveal(job.id)
        assert job.state is JobState.REVEAL_SENT and reveal_banner(job)
        job = await runner.retry_unknown(job.id)
        assert job.state is JobState.COMMITTED
        net.fail["reveal_model"] = "executed"
        job = await runner.reveal(job.id)
        assert job.state is JobState.REVEALED           # reconciled from the chain right after the send
        await journal_close(journal, net)

    asyncio.run(main())


def reveal_banner(job) -> bool:
    from soma_desktop.publish.workflow import reveal_due
    return reveal_due(job, job.commit_epoch + 1)


def test_update_weights_of_an_active_model(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        first = runner.start_publish()
        await drive(runner, net, first.id, weights_file)
        model_id = journal.get(first.id).model_id
        old = await net.get_model(model_id)
        new_weights = make_safetensors(tmp_path / "v2.safetensors", seed=9)
        update = await _verified(runner, new_weights, seed=2, model_id=model_id)
        assert (await runner.decide(update.id)).action is Action.COMMIT
        update = await runner.commit(update.id)
        assert update.state is JobState.COMMITTED
        assert (await net.get_model(model_id)).pending_update is not None
        assert (await runner.decide(update.id)).action is Action.WAIT_EPOCH
        await net.advance_epoch()
        assert (await runner.reveal(update.id)).state is JobState.REVEALED
        now = await net.get_model(model_id)
        assert now.state is ModelState.ACTIVE and now.pending_update is None
        assert now.manifest.checksum == update.checksum != old.manifest.checksum
        # a second update that is never revealed is dropped without a slash
        third = await _verified(runner, make_safetensors(tmp_path / "v3.safetensors", seed=10), seed=3,
                                model_id=model_id)
        await runner.commit(third.id)
        await net.advance_epoch()
        await net.advance_epoch()
        assert (await runner.reconcile(third.id)).state is JobState.UPDATE_DROPPED
        after = await net.get_model(model_id)
        assert after.state is ModelState.ACTIVE and after.manifest.checksum == update.checksum
        await journal_close(journal, net)

    asyncio.run(main())


def test_create_prechecks_and_back_and_cancel(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = await _verified(runner, weights_file)
        with pytest.raises(PublishError, match="at least"):
            await runner.create(job.id, ONE_SOMA - 1, 100)
        with pytest.raises(PublishError, match="commission"):
            await runner.create(job.id, ONE_SOMA, 10_001)
        with pytest.raises(PublishError, match="coin"):
            await runner.create(job.id, 10**18, 100)
        poor = PublishRunner(journal, net, TestSigner("0x" + "cd" * 32), work_dir=tmp_path / "w2",
                             blob_server=blob_server)
        poor_job = await _verified(poor, weights_file)
        with pytest.raises(PublishError, match="coin"):
            await poor.create(poor_job.id, ONE_SOMA, 100)
        assert await _txs(net) == {}
        # Back discards the key (it is never used again) and the ciphertext
        enc = Path(journal.get(job.id).encrypted_path)
        assert (await runner.back(job.id)).state is JobState.PREPARED
        job = await runner.back(job.id)
        assert job.state is JobState.EMBEDDING_OK and job.key_commitment is None and not enc.exists()
        job = await runner.encrypt(job.id)
        assert job.state is JobState.PREPARED
        assert (await runner.cancel(job.id)).state is JobState.CANCELLED
        with pytest.raises(PublishError):
            await runner.cancel(job.id)
        with pytest.raises(PublishError, match="safetensors"):
            await runner.set_weights(runner.start_publish().id, tmp_path / "publish.db")
        await journal_close(journal, net)

    asyncio.run(main())


def test_wrong_wrapping_key_cannot_verify_or_commit(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net, journal, runner = await _setup(tmp_path, blob_server, wrapping_key)
        job = runner.start_publish()
        await runner.set_weights(job.id, weights_file)
        await runner.set_embedding(job.id, embedding())
        await runner.encrypt(job.id)
        await runner.host_local(job.id)
        journal.close()
        locked = Journal(tmp_path / "publish.db", b"\0" * 32)
        other = PublishRunner(locked, net, TestSigner(), work_dir=tmp_path / "work", blob_server=blob_server)
        with pytest.raises(WrongWrappingKey):
            await other.verify(job.id)
        assert locked.get(job.id).state is JobState.HOSTED
        await journal_close(locked, net)

    asyncio.run(main())


async def journal_close(journal, net) -> None:
    journal.close()
    await net.close()


def test_testnet_policy_refuses_loopback_hosting(tmp_path, blob_server, wrapping_key, weights_file):
    from soma_desktop.publish.downloader import UrlPolicy

    async def main():
        net = open_test_sandbox(tmp_path / "sandbox.db")
        journal = Journal(tmp_path / "publish.db", wrapping_key)
        runner = PublishRunner(journal, net, TestSigner(), work_dir=tmp_path / "work", blob_server=blob_server,
                               url_policy=UrlPolicy(resolve=False))          # what a public network uses
        job = runner.start_publish()
        await runner.set_weights(job.id, weights_file)
        await runner.set_embedding(job.id, embedding())
        await runner.encrypt(job.id)
        with pytest.raises(PublishError, match="local addresses"):
            await runner.host_local(job.id)
        with pytest.raises(PublishError, match="https"):
            await runner.host_url(job.id, "http://weights.example.com/m.bin")
        job = await runner.host_url(job.id, "https://weights.example.com/m.bin")
        assert job.state is JobState.HOSTED and job.hosting == "url"
        await journal_close(journal, net)

    asyncio.run(main())
