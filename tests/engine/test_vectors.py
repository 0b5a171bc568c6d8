"""Interop vectors (tests/data/soma_vectors.json): arrgen noise and Blake2b commitments."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from soma_desktop.engine.sigreg import batch_noise


def _bits(values) -> list[str]:
    return [v.tobytes().hex() for v in np.asarray(values, dtype="<f4").ravel()]


def test_arrgen_vectors(vectors):
    small, noise = vectors["arrgen_normal"]
    import arrgen

    assert _bits(arrgen.normal_array(42, [2, 2], 0.0, 1.0)) == small["values_f32le_hex"]
    batch0 = batch_noise(seed=0, batch_index=0, dim=2048)
    assert batch0.shape == (2048, 256) and batch0.dtype == np.float32
    assert _bits(batch0.ravel()[:8]) == noise["first8_f32le_hex"]
    assert _bits(batch_noise(seed=-3, batch_index=3, dim=2048)[0, :8]) == noise["first8_f32le_hex"]


def test_blake2b_commitment_vectors(vectors):
    """The demo index stores Blake2b-256 of the weights; the same hash is the network's commitment."""
    from soma_desktop.core.crypto import b58encode

    for case in vectors["blake2b_commitment"]:
        digest = hashlib.blake2b(bytes.fromhex(case["input_hex"]), digest_size=32).digest()
        assert digest.hex() == case["blake2b256_hex"]
        assert b58encode(digest) == case["commitment_b58"]


@pytest.mark.parametrize("generator,expected", [("normal_array", 1.28620601), ("uniform_array", 29.08621025)])
def test_sigreg_matches_rust_pins(generator, expected):
    """models/tests/v1_sig_reg.rs at soma-org/soma 0ed887ab (scoring.md): input arrgen(43, [10,10,1024]),
    noise normal_array(44, [1024,256]); burn Tolerance::default()."""
    import arrgen
    import torch

    from soma_desktop.engine.sigreg import SigReg

    x = torch.from_numpy(getattr(arrgen, generator)(43, [10, 10, 1024], 0.0, 1.0))
    noise = arrgen.normal_array(44, [1024, 256], 0.0, 1.0)
    value = float(SigReg(noise, torch.device("cpu")).token_terms(x).mean())
    assert abs(value - expected) < max(1e-5, 0.005 * abs(expected))
