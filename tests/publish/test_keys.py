"""Seed-derived per-commit keys: distinct per file/epoch/attempt, recoverable from the chain's commitment."""

from __future__ import annotations

import asyncio
import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.core import crypto
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.keys import derive_weights_key, publish_root_from_seed, recover_weights_key
from soma_desktop.publish.runner import PublishRunner
from tests.publish.publish_helpers import ONE_SOMA, TestSigner, embedding, open_test_sandbox

ROOT = publish_root_from_seed(bytes(64))
OWNER = "0x" + "5e" * 32


@settings(max_examples=200, deadline=None)
@given(a=st.tuples(st.integers(0, 3), st.binary(min_size=32, max_size=32), st.integers(0, 3)),
       b=st.tuples(st.integers(0, 3), st.binary(min_size=32, max_size=32), st.integers(0, 3)))
def test_distinct_inputs_give_distinct_keys(a, b):
    ka = derive_weights_key(ROOT, owner=OWNER, build_epoch=a[0], plain_sha256=a[1], attempt=a[2])
    kb = derive_weights_key(ROOT, owner=OWNER, build_epoch=b[0], plain_sha256=b[1], attempt=b[2])
    assert (ka == kb) == (a == b) and len(ka) == 32


def test_owner_and_root_separate_keys():
    sha = hashlib.sha256(b"w").digest()
    base = derive_weights_key(ROOT, owner=OWNER, build_epoch=1, plain_sha256=sha, attempt=0)
    assert base != derive_weights_key(ROOT, owner="0x" + "11" * 32, build_epoch=1, plain_sha256=sha, attempt=0)
    assert base != derive_weights_key(publish_root_from_seed(b"\1" * 64), owner=OWNER, build_epoch=1,
                                      plain_sha256=sha, attempt=0)
    assert base != publish_root_from_seed(bytes(64)) and bytes(64) != ROOT


def test_runner_uses_derived_keys_and_they_are_recoverable(tmp_path, blob_server, wrapping_key, weights_file):
    async def main():
        net = open_test_sandbox(tmp_path / "sandbox.db")
        journal = Journal(tmp_path / "publish.db", wrapping_key)
        runner = PublishRunner(journal, net, TestSigner(), work_dir=tmp_path / "work", blob_server=blob_server,
                               publish_root=ROOT)
        jobs = []
        for _ in range(2):                        # same file, same epoch: the second key must differ
            job = runner.start_publish()
            await runner.set_weights(job.id, weights_file)
            await runner.set_embedding(job.id, embedding())
            jobs.append(await runner.encrypt(job.id))
        assert [j.key_attempt for j in jobs] == [0, 1]
        assert jobs[0].key_commitment != jobs[1].key_commitment and jobs[0].checksum != jobs[1].checksum
        job = jobs[0]
        await runner.host_local(job.id)
        await runner.verify(job.id)
        await runner.create(job.id, ONE_SOMA, 0)
        await net.advance_epoch()
        job = await runner.commit(job.id)
        assert job.state is JobState.COMMITTED and job.commit_epoch == job.build_epoch + 1
        journal.close()                           # the journal is lost: rebuild the key from seed + file
        model = await net.get_model(job.model_id)
        sha = hashlib.sha256(weights_file.read_bytes()).digest()
        key = recover_weights_key(ROOT, owner=TestSigner().address, plain_sha256=sha,
                                  key_commitment=model.decryption_key_commitment,
                                  epochs=range(model.commit_epoch, model.commit_epoch - 3, -1))
        assert key is not None and crypto.key_commitment(key) == model.decryption_key_commitment
        await net.advance_epoch()
        await net.reveal_model(TestSigner(), job.model_id, key, embedding())
        assert (await net.get_model(job.model_id)).decryption_key == key
        await net.close()

    asyncio.run(main())
