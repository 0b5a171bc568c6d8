"""Network-scorer parity against soma-models 0.1.7 modules driven with the network's data contract."""

from __future__ import annotations

import numpy as np
import pytest

from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.scorer import score_bytes
from soma_desktop.engine.weights import load_model
from tests.engine.conftest import TINY, random_bytes, write_model
from tests.engine.reference import load_reference, reference_score

TOL = 1e-5


@pytest.fixture(scope="module")
def reference(tiny_weights):
    return load_reference(tiny_weights, TINY)


def _check(model, ref, data: bytes, seed: int = 0):
    ours = score_bytes([model], data, seed=seed).models[0]
    loss, ce, sig, embedding, nlls = reference_score(ref, data, seed)
    assert abs(ours.loss - loss) <= TOL
    assert abs(ours.cross_entropy - ce) <= TOL
    assert abs(ours.sigreg - sig) <= TOL * max(1.0, abs(sig))
    assert np.abs(ours.embedding - embedding).max() <= TOL
    predicted = ours.per_byte_nll[~np.isnan(ours.per_byte_nll)]
    np.testing.assert_allclose(predicted, np.concatenate(nlls), atol=TOL)
    return ours


# 1 byte, short final chunk, exact chunk multiple (no EOS), a partial second batch, three batches.
@pytest.mark.parametrize("size", [1, 100, 1023, 1024, 1025, 16 * 1024 + 5, 33 * 1024 - 7])
def test_parity_with_soma_models(tiny_model, reference, size):
    _check(tiny_model, reference, random_bytes(size, seed=size))


def test_seed_changes_only_sigreg(tiny_model, reference):
    data = random_bytes(2000)
    a = _check(tiny_model, reference, data, seed=0)
    b = _check(tiny_model, reference, data, seed=5)
    assert a.sigreg != b.sigreg and a.cross_entropy == b.cross_entropy
    assert np.array_equal(a.embedding, b.embedding)


def test_parity_default_eight_heads(tmp_path):
    arch = Architecture(embedding_dim=64, num_layers=1, num_heads=8, ffn_dim=128)
    path = write_model(tmp_path / "w8.safetensors", arch, seed=11)
    model = load_model(path, device="cpu")  # heads not given: V1's 8
    _check(model, load_reference(path, arch), b"def f(x):\n    return x * 2\n" * 50)


def test_text_loss_is_plausible(tiny_model):
    """A tiny random model sits near ln(264) nats per byte; the CE is diluted by PAD rows as on the network."""
    result = score_bytes([tiny_model], b"x" * 100).models[0]
    nll = np.nanmean(result.per_byte_nll)
    assert 3.0 < nll < 8.0
    assert result.cross_entropy == pytest.approx(nll * 100 / 1024, rel=1e-4)
    assert result.bits_per_byte == pytest.approx(nll / np.log(2), rel=1e-5)
