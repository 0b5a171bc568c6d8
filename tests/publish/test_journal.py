"""The durable publish journal: secrets encrypted at rest, read-back checks, compare-and-set transitions."""

from __future__ import annotations

import os
import sqlite3

import pytest

from soma_desktop.core import crypto
from soma_desktop.publish.embedding import EmbeddingError, embedding_to_f32
from soma_desktop.publish.journal import (
    JobKind,
    JobState,
    Journal,
    JournalError,
    JournalIntegrityError,
    WrongWrappingKey,
)
from tests.publish.publish_helpers import embedding

ADDR = "0x" + "ab" * 32


def _prepared(journal: Journal, key: bytes, emb: bytes):
    job = journal.create_job(network="sandbox", address=ADDR)
    journal.transition(job.id, JobState.NEW, JobState.WEIGHTS_OK, weights_path="/w", plain_sha256=b"\1" * 32)
    journal.store_secrets(job.id, JobState.WEIGHTS_OK, JobState.EMBEDDING_OK, embedding_f32=emb, shape=(16,))
    return journal.store_secrets(job.id, JobState.EMBEDDING_OK, JobState.PREPARED, key=key,
                                 checksum=b"\2" * 32, size=100, encrypted_path="/e")


def _all_bytes_on_disk(directory) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


def test_secrets_round_trip_and_never_hit_disk_in_plaintext(tmp_path, wrapping_key):
    key = crypto.new_weights_key()
    emb = embedding_to_f32(embedding(), 16)
    journal = Journal(tmp_path / "j.db", wrapping_key)
    job = _prepared(journal, key, emb)
    assert job.state is JobState.PREPARED and job.key_commitment == crypto.key_commitment(key)
    assert job.embedding_commitment == crypto.embedding_commitment(embedding())
    material = journal.load_material(job.id)
    assert material.key == key and material.embedding_f32 == emb and material.shape == (16,)
    assert "hidden" in repr(material) and key.hex() not in repr(material)
    journal.close()
    raw = _all_bytes_on_disk(tmp_path)                   # database, WAL and shm files
    for secret in (key, emb, key.hex().encode(), crypto.b58encode(key).encode(), wrapping_key):
        assert secret not in raw
    assert oct((tmp_path / "j.db").stat().st_mode & 0o777) == "0o600"
    reopened = Journal(tmp_path / "j.db", wrapping_key)  # durable across a restart
    assert reopened.load_material(job.id).key == key
    reopened.close()
    with pytest.raises(WrongWrappingKey):
        Journal(tmp_path / "j.db", os.urandom(32)).load_material(job.id)


def test_tampered_secret_or_commitment_blocks_commit(tmp_path, wrapping_key):
    journal = Journal(tmp_path / "j.db", wrapping_key)
    job = _prepared(journal, crypto.new_weights_key(), embedding_to_f32(embedding(), 16))
    other = sqlite3.connect(tmp_path / "j.db")
    other.execute("UPDATE publish_jobs SET embedding_commitment = ? WHERE id = ?", (b"\0" * 32, job.id))
    other.commit()
    with pytest.raises(JournalIntegrityError):
        journal.load_material(job.id)
    # a ciphertext moved to another row fails authentication (row id is associated data)
    second = _prepared(journal, crypto.new_weights_key(), embedding_to_f32(embedding(2), 16))
    other.execute("UPDATE publish_jobs SET key_ct = (SELECT key_ct FROM publish_jobs WHERE id = ?) WHERE id = ?",
                  (job.id, second.id))
    other.commit()
    other.close()
    with pytest.raises(WrongWrappingKey):
        journal.load_material(second.id)
    journal.close()


def test_transitions_are_compare_and_set(journal):
    job = journal.create_job(network="sandbox", address=ADDR)
    journal.transition(job.id, JobState.NEW, JobState.WEIGHTS_OK, weights_path="/w")
    with pytest.raises(JournalError):
        journal.transition(job.id, JobState.NEW, JobState.WEIGHTS_OK)   # a second writer lost the race
    with pytest.raises(ValueError):
        journal.transition(job.id, JobState.WEIGHTS_OK, JobState.WEIGHTS_OK, key_ct=b"x")
    with pytest.raises(ValueError):
        journal.transition(job.id, JobState.WEIGHTS_OK, JobState.WEIGHTS_OK, op_id="other")
    assert [e[:2] for e in journal.events(job.id)] == [(None, "new"), ("new", "weights_ok")]


def test_a_key_is_never_stored_twice(journal):
    key = crypto.new_weights_key()
    _prepared(journal, key, embedding_to_f32(embedding(), 16))
    with pytest.raises(JournalError, match="reused"):
        _prepared(journal, key, embedding_to_f32(embedding(3), 16))
    assert crypto.key_commitment(key) in journal.used_key_commitments()


def test_jobs_filtering_and_update_jobs(journal):
    a = journal.create_job(network="sandbox", address=ADDR)
    b = journal.create_job(network="testnet", address=ADDR, kind=JobKind.UPDATE, model_id="0x" + "1" * 64)
    journal.transition(a.id, JobState.NEW, JobState.CANCELLED)
    assert [j.id for j in journal.jobs(network="testnet")] == [b.id]
    assert [j.id for j in journal.jobs(include_terminal=False)] == [b.id]
    assert journal.known_model_ids() == {"0x" + "1" * 64}
    with pytest.raises(ValueError):
        journal.create_job(network="sandbox", address=ADDR, kind=JobKind.UPDATE)


@pytest.mark.parametrize("value,problem", [
    ([1.0] * 15, "exactly 16"), ([], "empty"), ([0.0] * 16, "zeros"), ([float("nan")] + [1.0] * 15, "NaN"),
    (b"\0\0\0", "multiple of 4"), (["x"] * 16, "numbers"),
])
def test_embedding_validation(value, problem):
    with pytest.raises(EmbeddingError, match=problem):
        embedding_to_f32(value, 16)


def test_embedding_bytes_are_kept_exactly():
    raw = crypto.f32_bytes([0.1] * 16)
    assert embedding_to_f32(raw, 16) == raw
    assert embedding_to_f32([0.1] * 16, 16) == raw
    # vector from soma_vectors.json (protocol.md §1.4): [0.1]*16 -> this commitment
    assert crypto.b58encode(crypto.blake2b256(crypto.bcs_soma_tensor_from_f32(raw, (16,)))) == \
        "8YbWGbgTjH1xHEdDfsFV6HHzjGCCc7mww2vcRQTUi3TH"
