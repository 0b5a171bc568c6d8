"""Interop vectors from tests/data/soma_vectors.json; the `vectors` fixture is in tests/conftest.py."""

from __future__ import annotations

import numpy as np

from soma_desktop.core.crypto import derive_id, make_target_seed
from soma_desktop.network.sandbox.targets import target_embedding


def test_derive_id_and_target_seed(vectors):
    cases = vectors["derive_id_and_target_seed"]["cases"]
    assert cases
    for case in cases:
        digest = bytes.fromhex(case["tx_digest_hex"])
        assert derive_id(digest, case["n"]) == case["derive_id"]
        assert make_target_seed(digest, case["n"]) == case["make_target_seed"]


def test_target_embedding_dim16_for_n0_is_bit_exact(vectors):
    vec = vectors["derive_id_and_target_seed"]["target_embedding_dim16_for_n0"]
    seed = make_target_seed(bytes(32), 0)
    got = target_embedding(seed, 16)
    assert got.dtype == np.float32
    assert got.tobytes() == np.asarray(vec["values"], dtype="<f4").tobytes()


def test_arrgen_vector(vectors):
    case = vectors["arrgen_normal"][0]
    got = target_embedding(42, 4)
    assert [np.float32(v).tobytes().hex() for v in got] == case["values_f32le_hex"]


def test_genesis_target_uses_zero_digest_seed(chain, vectors):
    """Genesis target i has seed make_target_seed(zero_digest, i): target 0 equals the dim-16 vector."""
    want = np.asarray(vectors["derive_id_and_target_seed"]["target_embedding_dim16_for_n0"]["values"], "<f4")
    embeddings = [np.asarray(t.embedding, "<f4").tobytes() for t in chain.list_targets(limit=1000).targets]
    assert want.tobytes() in embeddings
