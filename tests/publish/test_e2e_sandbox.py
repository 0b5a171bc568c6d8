"""End to end on the real sandbox with the built-in blob server: weights file -> Active model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from soma_desktop.core import crypto
from soma_desktop.network.types import ModelState
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import UrlPolicy, fetch_model_weights
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishError, PublishRunner, RevealNotAllowed
from soma_desktop.publish.workflow import Action, Step
from tests.publish.publish_helpers import ONE_SOMA, TestSigner, embedding, make_safetensors, open_test_sandbox


class App:
    """What the desktop app holds in memory; dropping it and building a new one = a restart."""

    def __init__(self, root: Path, wrapping_key: bytes, server: BlobServer):
        self.net = open_test_sandbox(root / "sandbox.db")
        self.journal = Journal(root / "publish.db", wrapping_key)
        self.runner = PublishRunner(self.journal, self.net, TestSigner(), work_dir=root / "work",
                                    blob_server=server)

    async def close(self) -> None:
        self.journal.close()
        await self.net.close()


async def _to_committed(app: App, weights: Path) -> int:
    r = app.runner
    job = r.start_publish()
    assert (await r.decide(job.id)).action is Action.ASK_WEIGHTS
    await r.set_weights(job.id, weights)
    assert (await r.decide(job.id)).step is Step.EMBEDDING
    await r.set_embedding(job.id, embedding())
    assert (await r.advance(job.id)).action is Action.ASK_HOSTING      # encrypted
    await r.host_local(job.id)
    decision = await r.advance(job.id)                                 # verified
    assert decision.action is Action.ASK_CREATE, app.journal.get(job.id).last_error
    job = await r.create(job.id, ONE_SOMA, 250)
    assert job.state is JobState.CREATED
    decision = await r.decide(job.id)
    assert decision.action is Action.COMMIT and decision.deadline_epoch == job.create_epoch + 1
    job = await r.commit(job.id)
    assert job.state is JobState.COMMITTED
    assert job.commit_epoch == (await app.net.get_system_state()).epoch
    return job.id


def test_weights_file_to_active_model(tmp_path, wrapping_key, blob_server):
    weights = make_safetensors(tmp_path / "model.safetensors")

    async def main():
        app = App(tmp_path, wrapping_key, blob_server)
        job_id = await _to_committed(app, weights)
        decision = await app.runner.decide(job_id)
        assert decision.action is Action.WAIT_EPOCH and decision.opens_epoch == app.journal.get(job_id).commit_epoch + 1
        with pytest.raises(RevealNotAllowed):
            await app.runner.reveal(job_id)                            # too early: refused, nothing sent
        await app.net.advance_epoch()
        assert (await app.runner.decide(job_id)).action is Action.REVEAL
        job = await app.runner.reveal(job_id)
        assert job.state is JobState.REVEALED
        assert (await app.runner.decide(job_id)).step is Step.ACTIVE
        model = await app.net.get_model(job.model_id)
        assert model.state is ModelState.ACTIVE and model.owner == TestSigner().address
        assert crypto.blake2b256(model.decryption_key) == job.key_commitment
        # the Evaluate panel's path: download the manifest, verify, decrypt with the revealed key
        plain = fetch_model_weights(model.manifest, model.decryption_key, tmp_path / "cache",
                                    policy=UrlPolicy(allow_loopback=True))
        assert plain.read_bytes() == weights.read_bytes()
        await app.close()

    asyncio.run(main())


def test_killed_between_commit_and_reveal_resumes_and_reveals(tmp_path, wrapping_key):
    weights = make_safetensors(tmp_path / "model.safetensors")

    async def main():
        with BlobServer(tmp_path / "blobs") as server:
            app = App(tmp_path, wrapping_key, server)
            job_id = await _to_committed(app, weights)
            await app.close()
        del app                                                        # the process is gone
        with BlobServer(tmp_path / "blobs") as server:
            app = App(tmp_path, wrapping_key, server)                  # everything reopened from disk
            await app.net.advance_epoch()
            resumed = await app.runner.resume_all()
            assert [j.state for j in resumed] == [JobState.COMMITTED]
            job = app.journal.get(job_id)
            chain = await app.runner.chain_view(job)
            from soma_desktop.publish.workflow import reveal_due
            assert reveal_due(job, chain.epoch)
            assert (await app.runner.run(job_id, confirm=True)).step is Step.ACTIVE
            assert app.journal.get(job_id).state is JobState.REVEALED
            assert (await app.net.get_model(job.model_id)).state is ModelState.ACTIVE
            await app.close()

    asyncio.run(main())


def test_offline_past_the_window_shows_missed_reveal_and_never_sends(tmp_path, wrapping_key, blob_server):
    weights = make_safetensors(tmp_path / "model.safetensors")

    async def main():
        app = App(tmp_path, wrapping_key, blob_server)
        job_id = await _to_committed(app, weights)
        await app.close()
        chain_only = open_test_sandbox(tmp_path / "sandbox.db")        # the chain moves on without the app
        await chain_only.advance_epoch()
        await chain_only.advance_epoch()
        await chain_only.close()
        app = App(tmp_path, wrapping_key, blob_server)
        sent_before = await app.net.list_transactions(address=TestSigner().address)
        await app.runner.resume_all()
        job = app.journal.get(job_id)
        assert job.state is JobState.MISSED_REVEAL
        assert job.slash == ONE_SOMA // 2
        decision = await app.runner.run(job_id, confirm=True)
        assert decision.step is Step.FAILED and decision.slash == ONE_SOMA // 2
        with pytest.raises(RevealNotAllowed):
            await app.runner.reveal(job_id)
        sent_after = await app.net.list_transactions(address=TestSigner().address)
        assert sent_after == sent_before                               # nothing was sent
        assert (await app.net.get_model(job.model_id)).state is ModelState.INACTIVE
        await app.close()

    asyncio.run(main())


def test_url_serving_different_bytes_blocks_the_commit(tmp_path, wrapping_key, blob_server):
    weights = make_safetensors(tmp_path / "model.safetensors")

    async def main():
        app = App(tmp_path, wrapping_key, blob_server)
        r = app.runner
        job = r.start_publish()
        await r.set_weights(job.id, weights)
        await r.set_embedding(job.id, embedding())
        job = await r.encrypt(job.id)
        forged = bytearray(Path(job.encrypted_path).read_bytes())
        forged[-1] ^= 0x01                                             # same size, one bit different
        (tmp_path / "forged.bin").write_bytes(forged)
        url = blob_server.publish(tmp_path / "forged.bin", "forged.bin")
        await r.host_url(job.id, url)
        job = await r.verify(job.id)
        assert job.state is JobState.HOSTED and "checksum" in job.last_error
        decision = await r.decide(job.id)
        assert decision.action is Action.VERIFY
        with pytest.raises(PublishError):
            await r.create(job.id, ONE_SOMA, 0)
        with pytest.raises(PublishError):
            await r.commit(job.id)
        assert await app.net.list_transactions(address=TestSigner().address) == []
        await app.close()

    asyncio.run(main())
